import Foundation

/// The synthesis pipeline stages, in order.
enum GenStage: Int, CaseIterable {
    case textNormalize, llmPromptGen, llmInference, llmPostproc, audioRender

    var name: String {
        switch self {
        case .textNormalize: return "text_normalize"
        case .llmPromptGen: return "llm_prompt_gen"
        case .llmInference: return "llm_inference"
        case .llmPostproc: return "llm_postproc"
        case .audioRender: return "audio_render"
        }
    }
}

/// IndexTTS error codes: where each strikes, its message and a Python traceback.
enum GenErrorCode: Int, CaseIterable {
    case scipyFFTInvalid, modelLoadTimeout, modelLoadFailed, textEmpty, cacheWriteFailed

    var code: String {
        switch self {
        case .scipyFFTInvalid: return "SCIPY_FFT_INVALID"
        case .modelLoadTimeout: return "MODEL_LOAD_TIMEOUT"
        case .modelLoadFailed: return "MODEL_LOAD_FAILED"
        case .textEmpty: return "TEXT_EMPTY"
        case .cacheWriteFailed: return "CACHE_WRITE_FAILED"
        }
    }

    /// The stage the failure stops in.
    var stage: GenStage {
        switch self {
        case .scipyFFTInvalid: return .llmPostproc
        case .modelLoadTimeout, .modelLoadFailed: return .llmInference
        case .textEmpty: return .textNormalize
        case .cacheWriteFailed: return .audioRender
        }
    }

    /// Free text after the error code on the `synthesis_failed` line (no `, ` and no `=`).
    var message: String {
        switch self {
        case .scipyFFTInvalid: return "Invalid input to scipy.fft"
        case .modelLoadTimeout: return "Model load timed out after 3.0s"
        case .modelLoadFailed: return "Failed to load LLM weights"
        case .textEmpty: return "Empty text after normalization"
        case .cacheWriteFailed: return "Failed to write audio to cache: No space left on device"
        }
    }

    /// Milliseconds spent in the failing stage before it gave up.
    func partialMs(_ rng: inout GenRandom) -> Int {
        switch self {
        case .scipyFFTInvalid: return rng.int(3...40)
        case .modelLoadTimeout: return rng.int(3000...3400)
        case .modelLoadFailed: return rng.int(20...300)
        case .textEmpty: return rng.int(0...2)
        case .cacheWriteFailed: return rng.int(10...60)
        }
    }

    private var frames: [String] {
        switch self {
        case .scipyFFTInvalid:
            return ["  File \"/app/app/tts_engine.py\", line 387, in synthesize",
                    "    spec = scipy.fft.rfft(emb)",
                    "  File \"/usr/local/lib/python3.10/site-packages/scipy/fft/_backend.py\", line 25, in __ua_function__",
                    "    return fn(*args, **kwargs)"]
        case .modelLoadTimeout:
            return ["  File \"/app/app/tts_engine.py\", line 212, in synthesize",
                    "    tokens = self.model.generate(prompt, timeout=self.timeout)",
                    "  File \"/app/app/model_loader.py\", line 88, in generate",
                    "    raise TimeoutError(f\"model load exceeded {timeout}s\")"]
        case .modelLoadFailed:
            return ["  File \"/app/app/model_loader.py\", line 41, in load",
                    "    state = torch.load(path, map_location=device)",
                    "  File \"/usr/local/lib/python3.10/site-packages/torch/serialization.py\", line 1025, in load",
                    "    raise pickle.UnpicklingError(UNSAFE_MESSAGE + str(e))"]
        case .textEmpty:
            return ["  File \"/app/app/tts_engine.py\", line 141, in synthesize",
                    "    text = self.normalizer.normalize(req.text)",
                    "  File \"/app/app/text/normalize.py\", line 57, in normalize",
                    "    raise ValueError(\"text must not be empty\")"]
        case .cacheWriteFailed:
            return ["  File \"/app/app/tts_engine.py\", line 455, in synthesize",
                    "    self.cache.save(key, wav)",
                    "  File \"/app/app/cache.py\", line 73, in save",
                    "    f.write(data)"]
        }
    }

    private var exceptions: [String] {
        switch self {
        case .scipyFFTInvalid:
            return ["RuntimeWarning: invalid value encountered in true_divide",
                    "ValueError: Invalid input to scipy.fft: array must not contain infs or NaNs"]
        case .modelLoadTimeout: return ["TimeoutError: model load exceeded 3.0s"]
        case .modelLoadFailed: return ["RuntimeError: failed to load model: /app/models/gpt.pth is corrupted"]
        case .textEmpty: return ["ValueError: text must not be empty"]
        case .cacheWriteFailed: return ["OSError: [Errno 28] No space left on device: '/app/cache/tmp.wav'"]
        }
    }

    /// A traceback of `lineCount` (3...6) lines, none of which starts with a timestamp.
    func traceback(lineCount: Int, _ rng: inout GenRandom) -> [String] {
        var lines = ["Traceback (most recent call last):"]
        lines.append(contentsOf: frames.prefix(max(1, min(4, lineCount - 2))))
        lines.append(rng.pick(exceptions))
        return lines
    }
}
