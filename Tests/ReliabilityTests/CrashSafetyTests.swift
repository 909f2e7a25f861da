import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

/// `crosswalk sync` (the real binary) killed with SIGKILL at random points, round after
/// round, while its source folder grows and changes. Three databases see the same folder:
/// - killed: each round's sync is killed at a random moment, then synced again;
/// - twin: each round synced once, cleanly: the same history without the kills;
/// - fresh: a new database per round, synced once: the state a clean sync gives.
/// After each kill, every document in the killed database must be whole in its previous
/// or its new version (compared with the twin before and after the round), and after the
/// next sync the killed database must equal the twin row for row (history included) and
/// the fresh database in everything current.
///
/// Environment (the soak script, Benchmarks/reliability/crash_soak.sh, sets these):
/// CROSSWALK_CRASH_KILLS (default 8), CROSSWALK_CRASH_SEED (default random, printed),
/// CROSSWALK_CRASH_INITIAL / _ADD / _REVISE / _TAKEDOWN / _RESTORE (documents per round),
/// CROSSWALK_CRASH_MAX_DOCS (stop adding past this), CROSSWALK_CRASH_FRESH_EVERY (compare
/// with a fresh database every n rounds), CROSSWALK_CRASH_BIG_EVERY / _BIG_REVISE (every n
/// rounds revise that many documents instead, so a run spans several 200-document commit
/// groups; the CLI has no flag for the group size). In a round that changes more documents
/// than one group holds, the kill waits for the first group's commit to show, then lands
/// at a random moment in the rest of the sync, so it falls between commits.
final class CrashSafetyTests: XCTestCase {
    struct Plan {
        var kills = 8
        var seed = UInt64.random(in: 1...UInt64(Int64.max))
        var initial = 14
        var add = 4
        var revise = 4
        var takeDown = 1
        var restore = 1
        var maxDocuments = 120
        var freshEvery = 1
        var bigEvery = 0
        var bigRevise = 220

        static func fromEnvironment() -> Plan {
            let environment = ProcessInfo.processInfo.environment
            func number(_ name: String) -> Int? { environment["CROSSWALK_CRASH_\(name)"].flatMap { Int($0) } }
            var plan = Plan()
            plan.kills = number("KILLS") ?? plan.kills
            plan.seed = environment["CROSSWALK_CRASH_SEED"].flatMap { UInt64($0) } ?? plan.seed
            plan.initial = number("INITIAL") ?? plan.initial
            plan.add = number("ADD") ?? plan.add
            plan.revise = number("REVISE") ?? plan.revise
            plan.takeDown = number("TAKEDOWN") ?? plan.takeDown
            plan.restore = number("RESTORE") ?? plan.restore
            plan.maxDocuments = number("MAX_DOCS") ?? plan.maxDocuments
            plan.freshEvery = max(1, number("FRESH_EVERY") ?? plan.freshEvery)
            plan.bigEvery = number("BIG_EVERY") ?? plan.bigEvery
            plan.bigRevise = number("BIG_REVISE") ?? plan.bigRevise
            return plan
        }
    }

    struct Figures: CustomStringConvertible {
        var rounds = 0, kills = 0, finishedBeforeKill = 0
        var killedBeforeRunRow = 0, killedMidRun = 0, killedAfterACommit = 0, killedAfterRecording = 0
        var documentsNewAtKill = 0, documentsOldAtKill = 0
        var rowsComparedWithTwin = 0, rowsComparedWithFresh = 0, freshDatabases = 0
        var abandonedRuns = 0, runsRecorded = 0

        var description: String {
            """
            rounds \(rounds), SIGKILLs \(kills) (\(killedMidRun) inside the run — \(killedAfterACommit) of them \
            after it had committed some of its work — \(killedBeforeRunRow) before the run began: start-up, \
            migrations, lock, scan — and \(killedAfterRecording) after it was recorded, while exiting), \
            \(finishedBeforeKill) syncs finished before their kill; \
            at the kills \(documentsNewAtKill) changed documents were already whole in their new version and \
            \(documentsOldAtKill) whole in their old one; rows compared: \(rowsComparedWithTwin) with the twin, \
            \(rowsComparedWithFresh) with \(freshDatabases) fresh databases; runs recorded \(runsRecorded), \
            \(abandonedRuns) of them abandoned by a kill, none left running
            """
        }
    }

    func testSyncKilledAtRandomPointsConvergesToACleanSync() async throws {
        let plan = Plan.fromEnvironment()
        say("crash test: seed \(plan.seed) (CROSSWALK_CRASH_SEED replays it), \(plan.kills) kills")
        var random = SeededRandom(seed: plan.seed)
        let rounds = plan.kills * 3
        let documentsNeeded = min(plan.maxDocuments + plan.takeDown * rounds, plan.initial + plan.add * rounds) + 1
        var corpus = try await EvolvingCorpus(documents: documentsNeeded, seed: plan.seed)
        defer { corpus.remove() }
        let killed = try await ScratchDatabase.create("crashkilled")
        let twin = try await ScratchDatabase.create("crashtwin")
        defer { Task { await killed.drop(); await twin.drop() } }

        var figures = Figures()
        var twinBefore = StateDump.empty
        while figures.kills < plan.kills && figures.rounds < rounds {
            figures.rounds += 1
            let round = figures.rounds
            let adding = corpus.documentCount < plan.maxDocuments
            let big = plan.bigEvery > 0 && round % plan.bigEvery == 0
            let change = try corpus.advance(
                add: round == 1 ? plan.initial : (adding ? plan.add : 0), revise: round == 1 ? 0 : (big ? plan.bigRevise : plan.revise),
                takeDown: round == 1 ? 0 : plan.takeDown, restore: round == 1 ? 0 : plan.restore)

            // The twin: this round, cleanly. How long it takes bounds where the kill may land.
            let started = ContinuousClock.now
            let clean = try await CrosswalkBinary.sync(database: twin.conninfo, source: corpus.folder)
            let cleanTook = started.duration(to: .now)
            try assertPartialWithTheBrokenFile(clean, "twin, round \(round)")
            let twinAfter = try await StateDump.read(twin.pool, .full)

            // The killed database: the same sync, SIGKILLed at a random moment.
            let launched = ContinuousClock.now
            let child = try CrosswalkBinary.launchSync(database: killed.conninfo, source: corpus.folder)
            let betweenCommits = change.added + change.revised + change.restored > Self.documentsPerCommit
            if betweenCommits {
                _ = try await eventually("the first commit group", every: .milliseconds(10)) { () -> Bool? in
                    if child.poll() != nil { return true }
                    let committed = try? await killed.pool.int("""
                        SELECT count(*)::int AS n FROM documents d JOIN sync_runs r ON r.id = d.run_id WHERE r.status = 'running'
                        """)
                    return committed ?? 0 > 0 ? true : nil
                }
            }
            let remaining = cleanTook - launched.duration(to: .now)
            let killAfter = Duration.nanoseconds(Int64.random(in: 0...max(1, remaining.nanoseconds), using: &random))
            try await Task.sleep(for: killAfter)  // the random kill point, not a wait for a condition
            child.kill(SIGKILL)
            let killedAt = launched.duration(to: .now).milliseconds
            let ended = try await child.wait(timeout: .seconds(60))
            child.removeOutput()
            let wasKilled = ended == .signaled(SIGKILL)
            if wasKilled { figures.kills += 1 } else { figures.finishedBeforeKill += 1 }

            // No document half-applied: each is, whole, the twin's before or after this round.
            let atKill = try await StateDump.fullIfMigrated(killed.pool)
            var newVersions = 0, oldVersions = 0
            for source in Set(twinBefore.documents.keys).union(twinAfter.documents.keys).union(atKill.documents.keys) {
                let now = atKill.documents[source], before = twinBefore.documents[source], after = twinAfter.documents[source]
                XCTAssertTrue(now == before || now == after, "round \(round): \(source) is neither its previous nor its new version after the kill")
                if before != after {
                    if now == after { newVersions += 1 } else if now == before { oldVersions += 1 }
                }
            }
            let migrated = !atKill.tables.isEmpty
            let leftRunning = migrated ? try await killed.pool.int("SELECT count(*)::int AS n FROM sync_runs WHERE status = 'running'") : 0
            let runsAtKill = migrated ? try await killed.pool.int("SELECT count(*)::int AS n FROM sync_runs") : 0
            XCTAssertLessThanOrEqual(leftRunning, 1, "round \(round)")
            let landed: String
            if !wasKilled {
                landed = "finished (\(ended)) before its kill"
            } else if leftRunning == 1 {
                landed = "killed inside its run"
                figures.killedMidRun += 1
                if newVersions > 0 { figures.killedAfterACommit += 1 }
            } else if runsAtKill > figures.runsRecorded {
                landed = "killed after its run was recorded"
                figures.killedAfterRecording += 1
            } else {
                landed = "killed before its run began"
                figures.killedBeforeRunRow += 1
            }
            if wasKilled {
                figures.documentsNewAtKill += newVersions
                figures.documentsOldAtKill += oldVersions
            }

            // The next sync converges to the twin, row for row.
            let next = try await CrosswalkBinary.sync(database: killed.conninfo, source: corpus.folder)
            try assertPartialWithTheBrokenFile(next, "sync after the kill, round \(round)")
            let (converged, _) = try await assertSameRows(killed.pool, as: twin.pool, .full, "round \(round): killed then synced vs the twin")
            figures.rowsComparedWithTwin += converged.rowCount

            // Every run ended in a terminal status; the killed one as abandoned.
            let runs = try await killed.pool.query("SELECT status, count(*)::int AS n FROM sync_runs GROUP BY status")
            var byStatus: [String: Int] = [:]
            for row in runs { byStatus[try row.decode("status", as: String.self)] = try row.decode("n", as: Int.self) }
            XCTAssertNil(byStatus["running"], "round \(round): a run is still 'running' after the next sync")
            XCTAssertEqual(byStatus["abandoned", default: 0], figures.abandonedRuns + leftRunning, "round \(round): \(byStatus)")
            figures.abandonedRuns = byStatus["abandoned", default: 0]
            figures.runsRecorded = byStatus.values.reduce(0, +)

            // The same as a clean sync into a fresh database, in everything current.
            if round % plan.freshEvery == 0 || figures.kills == plan.kills {
                let fresh = try await ScratchDatabase.create("crashfresh")
                let first = try await CrosswalkBinary.sync(database: fresh.conninfo, source: corpus.folder)
                try assertPartialWithTheBrokenFile(first, "fresh database, round \(round)")
                let (current, _) = try await assertSameRows(killed.pool, as: fresh.pool, .current, "round \(round): killed then synced vs a fresh database")
                await fresh.drop()
                figures.rowsComparedWithFresh += current.rowCount
                figures.freshDatabases += 1
            }
            say("round \(round): \(change); \(corpus.documentCount) documents; \(landed)\(betweenCommits ? " (aimed after the first commit)" : ""), about \(killedAt) ms into a \(cleanTook.milliseconds) ms clean sync; changed documents whole in their new version: \(newVersions), in their old: \(oldVersions)")
            twinBefore = twinAfter
            if testRun?.failureCount ?? 0 > 0 { break }
        }
        say("crash test figures: \(figures)")
        XCTAssertEqual(figures.kills, plan.kills, "too many syncs finished before their kill: \(figures)")
        XCTAssertGreaterThan(figures.killedMidRun, 0, "no kill landed inside a run: \(figures)")
    }

    static let documentsPerCommit = SyncEngine.Options(sources: []).documentsPerCommit

    private func assertPartialWithTheBrokenFile(_ sync: CLISync, _ what: String) throws {
        XCTAssertEqual(sync.termination, .exited(1), "\(what): exit 1 = some rejected, the rest applied; stderr: \(sync.errors.suffix(2000))")
        XCTAssertEqual(sync.status, "partial", what)
        XCTAssertEqual(sync.count("documents_rejected"), 1, what)
    }
}

/// A progress line, flushed at once (the soak script follows the log while it runs).
private func say(_ line: String) {
    print(line)
    fflush(nil)  // every stream; `stdout` itself is not concurrency-safe to name
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
    var milliseconds: Int64 { nanoseconds / 1_000_000 }
}
