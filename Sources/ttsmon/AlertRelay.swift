import Foundation
import TTSMonCore
import TTSMonNet

/// Drives the probe-clock alert inputs of a live command once a second (the active target's
/// last probe, `--disk`'s free space, the host's, processes' and GPUs' resources) and hands
/// rule transitions to Alertmanager (`--alertmanager`) and to whoever else listens (the
/// dashboard's bell).
final class AlertRelay {
    let disk: String?
    let notifier: AlertmanagerNotifier?
    /// Resources sampled in the background (reading /proc may block; finding a NAME or :PORT
    /// reads all of it).
    let monitor: ResourceMonitor
    /// The latest resource sample (nil before the first is in).
    private(set) var resources: ResourceFigures?
    private var lastTick = Date.distantPast

    init(_ delivery: AlertDelivery) {
        disk = delivery.disk
        let host = ProcessInfo.processInfo.hostName
        notifier = delivery.alertmanager.map { AlertmanagerNotifier(url: $0, instance: host) }
        monitor = ResourceMonitor(ResourceSampler(processes: delivery.processes, gpu: GPUMonitor()))
    }

    /// At most once a second: samples resources, evaluates probe rules through `evaluate`,
    /// then drains transitions through `drain` and forwards them; returns them (empty between
    /// seconds).
    func tick(now: Date, activeTargetUp: Bool?,
              evaluate: (LogTimestamp, Bool?, Double?, ResourceAlertInputs) -> Void, drain: () -> [AlertTransition]) -> [AlertTransition] {
        guard now.timeIntervalSince(lastTick) >= 1 else { return [] }
        lastTick = now
        var sample = monitor.latest ?? ResourceFigures()
        sample.host.diskFreePercent = disk.flatMap(DiskSpace.freePercent(path:))
        resources = sample
        evaluate(LogTimestamp(localTime: now), activeTargetUp, sample.host.diskFreePercent, sample.alertInputs)
        let transitions = drain()
        notifier?.update(transitions)
        return transitions
    }

    /// A short note on delivery problems, for a status line.
    var deliveryProblem: String? {
        guard let notifier, let error = notifier.lastError else { return nil }
        return "alertmanager: " + String(error.prefix(80))
    }

    /// Delivers what is left (resolved alerts) and closes connections.
    func shutdown() {
        monitor.stop()
        guard let notifier else { return }
        try? blockingAsync { await notifier.shutdown() }
    }
}
