import Foundation

/// The texts users send: Chinese, English, mixed, emoji, texts that look like log syntax, empty
/// ones, and a few very long ones. Every text is free of combining sequences, variation
/// selectors, backslashes and line breaks, so its length in Unicode scalars equals its length
/// in Swift characters.
enum GenTextCorpus {
    static let chinese: [String] = [
        "今天天气真好", "欢迎使用语音合成服务,请稍候。", "您的订单已发货,预计明天送达。", "请在听到提示音后留言。",
        "北京时间下午三点整。", "感谢您的耐心等待", "前方路口右转,然后直行五百米。", "本次会议将于十点开始",
        "我们很高兴为您服务", "您好,请问有什么可以帮您?", "列车即将进站,请站在安全线以内。", "今天是个好日子",
        "余额不足,请及时充值。", "祝您旅途愉快!", "请系好安全带。", "您的验证码是四八二九一七,五分钟内有效。",
        "春眠不觉晓,处处闻啼鸟。", "明天有小雨,出门记得带伞。", "第三章:山那边的村庄", "您有一条新的语音消息",
    ]

    static let english: [String] = [
        "Hello, world.", "Your package has shipped.", "Please hold while we connect your call.",
        "The meeting starts at 10 a.m.", "Thank you for your patience.", "Turn right at the next intersection.",
        "Welcome back!", "Your verification code is 482917.", "The next train arrives in three minutes.",
        "Chapter one: the village beyond the hills.", "Good evening, this is your daily summary.",
        "Battery low.", "Ok", "Please try again later.", "It is a truth universally acknowledged.",
    ]

    static let mixed: [String] = [
        "请打开 Wi-Fi 设置", "订单号 A1234 已确认", "今天的 meeting 改到 3pm", "欢迎来到 TTS demo",
        "GPU 利用率 85%,请注意", "您的 iPhone 已连接", "请输入 PIN 码", "版本 v2.1.0 已发布",
    ]

    static let emoji: [String] = [
        "恭喜你获奖了🎉", "Party time 🎉🎉", "生日快乐🎂", "👍 done", "好的😀", "🎉", "加油💪今天也要努力",
        "Rocket launch 🚀 in 3, 2, 1", "晚安🌙",
    ]

    /// Texts that look like log syntax: commas, `=`, quotes, an injected `id=`.
    static let tricky: [String] = [
        "He said \"hi, there\" = ok", "key=value, another=thing", "a, b, c", "\"quoted\"", "x=1, y=\"2\"",
        "价格=99元, 折扣=\"八折\"", "id=ts_deadbeef, status=failed, duration_ms=1", "text_len=999",
        "she said: \"no\", then left", "1 + 1 = 2", "C:/Program Files/tts, \"v2\"", "cache_hit=true",
    ]

    /// Picks a text and its language.
    static func pick(_ rng: inout GenRandom) -> (text: String, lang: String) {
        let roll = rng.unit()
        let text: String
        switch roll {
        case ..<0.005: return ("", rng.chance(0.7) ? "zh" : "en")
        case ..<0.035: text = long(&rng)
        case ..<0.135: text = medium(&rng)
        case ..<0.205: text = rng.pick(tricky)
        case ..<0.255: text = rng.pick(emoji)
        case ..<0.335: text = rng.pick(mixed)
        case ..<0.700: text = rng.pick(chinese)
        default: text = rng.pick(english)
        }
        return (text, language(of: text))
    }

    /// `zh` when the text holds any CJK ideograph, else `en`.
    static func language(of text: String) -> String {
        for scalar in text.unicodeScalars where (0x4E00...0x9FFF).contains(scalar.value) { return "zh" }
        return "en"
    }

    /// 40-300 characters: several sentences of one language.
    static func medium(_ rng: inout GenRandom) -> String {
        let zh = rng.chance(0.6)
        let pool = zh ? chinese : english
        var text = ""
        for i in 0..<rng.int(3...12) {
            if !zh, i > 0 { text += " " }
            text += rng.pick(pool)
        }
        return text
    }

    /// 600-2500 characters (Unicode scalars).
    static func long(_ rng: inout GenRandom) -> String {
        let target = rng.int(600...2500)
        let zh = rng.chance(0.7)
        let pool = zh ? chinese : english
        var text = ""
        text.reserveCapacity(target * (zh ? 3 : 1) + 8)
        var scalars = 0
        while scalars < target {
            if !zh, scalars > 0 {
                text += " "
                scalars += 1
                if scalars == target { break }
            }
            let sentence = rng.pick(pool)
            let n = scalarCount(sentence)
            if scalars + n <= target {
                text += sentence
                scalars += n
            } else {
                text.unicodeScalars.append(contentsOf: sentence.unicodeScalars.prefix(target - scalars))
                scalars = target
            }
        }
        return text
    }

    /// Length in Unicode scalars (counts the UTF-8 bytes that start a scalar).
    static func scalarCount(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var n = 0
            for byte in bytes where byte & 0xC0 != 0x80 { n += 1 }
            return n
        }
    }
}
