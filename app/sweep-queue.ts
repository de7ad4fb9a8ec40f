/**
 * Sweeps across machines, on BullMQ jobs in Redis (docs/sweeps.md). We write no cluster of our
 * own: Redis holds the queue, BullMQ hands each run to one worker at a time, holds a lock the
 * worker renews while it runs, and gives the run to another worker when a lock lapses (the
 * worker died or lost its network).
 *
 *   engram sweep <scenario> ... --queue redis://HOST:PORT/NAME   enqueues one job per run
 *   engram worker --queue redis://HOST:PORT/NAME                 runs them, on any machine
 *   engram sweep --status --queue redis://HOST:PORT/NAME         shows progress
 *
 * The output folder is shared (a network file system every worker mounts at the same path):
 * each run writes <out>/runs/<id>/ as in a local sweep, and its run.json, written last and
 * atomically, says it is finished. That file, not the queue, is the record of finished work:
 * a worker that gets a job whose run.json exists returns it without running it again (the
 * case of a worker that died between finishing a run and telling Redis). A training that was
 * cut off is resumed from the checkpoint its last worker left (every epoch), not started over.
 */
import { readJsonFile } from '../core/json.js';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { EngramError, RunInterrupted } from '../core/errors.js';
import {
  finishedRun,
  finishRun,
  jobs,
  planSweep,
  sweepManifest,
  workerFile,
  writeSweepCsv,
  type SweepJob,
  type SweepManifest,
  type SweepOptions,
  type SweepRun,
} from './sweep.js';
import { loadScenario } from '../scenario/load.js';
import { runScenario } from './run.js';
import type { RunReply, RunRequest } from './sweep-worker.js';

/** Where a queue lives: redis[s]://[user:password@]HOST:PORT/NAME[?db=N]. */
export interface QueueAddress {
  url: string;
  name: string;
  connection: RedisOptions;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/** A queue URL as it may be printed: the password (if any) replaced by ***. */
export function redactQueueUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

export function parseQueueUrl(raw: string): QueueAddress {
  // Every message and every printed address carries the URL without its password.
  const url = redactQueueUrl(raw);
  const expected = 'expected redis://HOST:PORT/NAME (e.g. redis://127.0.0.1:6379/my-sweep; rediss:// for TLS, ?db=N for a database other than 0)';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new EngramError(`--queue ${url}: ${expected}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new EngramError(`--queue ${url}: ${expected}; found the scheme ${u.protocol}`);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!NAME.test(name))
    throw new EngramError(`--queue ${url}: ${expected}; the queue NAME ${name ? `"${name}" may hold only letters, digits, '.', '_' and '-'` : 'is missing'}`);
  if (!u.hostname) throw new EngramError(`--queue ${url}: ${expected}; the HOST is missing`);
  const db = u.searchParams.get('db');
  if (db !== null && !/^\d+$/.test(db)) throw new EngramError(`--queue ${url}: ?db= expects a database number, found "${db}"`);
  const connection: RedisOptions = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: db === null ? 0 : Number(db),
    tls: u.protocol === 'rediss:' ? {} : undefined,
    // BullMQ's workers wait on blocking commands: they must not give up on a slow reply.
    maxRetriesPerRequest: null,
  };
  return { url, name, connection };
}

/** A message with every occurrence of `secret` masked (Redis may echo what it was sent). */
function redactSecret(message: string, secret: string | undefined): string {
  return secret ? message.split(secret).join('***') : message;
}

/** Fails at once, with a message, when Redis cannot be reached (ioredis alone would retry for ever). */
async function checkReachable(q: QueueAddress): Promise<void> {
  const probe = new Redis({ ...q.connection, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 });
  // ioredis reports a refused AUTH as an 'error' event, then rejects connect() with only
  // "Connection is closed.": keep the event's reason to say what went wrong.
  let refused: Error | undefined;
  probe.on('error', (err: Error) => {
    if (/WRONGPASS|NOAUTH|invalid (username|password)|AUTH.*(password|failed)|NOPERM/i.test(err.message)) refused = err;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    if (refused || /WRONGPASS|NOAUTH|NOPERM/.test((err as Error).message))
      throw new EngramError(
        `--queue ${q.url}: Redis at ${q.connection.host}:${q.connection.port} refused the authentication: ${redactSecret((refused ?? (err as Error)).message, q.connection.password)}; check the user and password of the address`,
      );
    throw new EngramError(
      `--queue ${q.url}: cannot reach Redis at ${q.connection.host}:${q.connection.port}: ${(err as Error).message}; is redis-server running there?`,
    );
  } finally {
    probe.disconnect();
  }
}

/** The sweep's queue, once Redis is known to answer (close it after use). */
async function openQueue(q: QueueAddress): Promise<Queue<QueuedRun, SweepRun>> {
  await checkReachable(q);
  const queue = new Queue<QueuedRun, SweepRun>(q.name, { connection: q.connection });
  // Connection trouble after this point surfaces as the failing command's own error.
  queue.on('error', () => {});
  return queue;
}

/** What a job carries: everything a worker on another machine needs, by shared path. */
export interface QueuedRun {
  scenario: string;
  /** SHA-256 of the scenario file when the sweep was enqueued: a worker refuses a changed file. */
  sha256: string;
  /** The sweep's output folder (shared). */
  sweep_out: string;
  run: SweepJob;
}

/**
 * The run a job names, as the sweep's manifest (sweep.json in the sweep's folder, written by
 * the enqueueing command on the shared file system) defines it. A job whose scenario, seed,
 * overrides, parameters or output folder differ from that run is refused (unrecoverable), as
 * is one whose folder holds no manifest.
 */
export async function runFromManifest(data: QueuedRun): Promise<{ job: SweepJob; scenario: string }> {
  const id = typeof data?.run?.id === 'string' ? data.run.id : '(a job without a run id)';
  const refuse = (why: string) => new UnrecoverableError(`${id}: refused: ${why} (docs/sweeps.md, "Trust")`);
  if (typeof data?.sweep_out !== 'string' || !path.isAbsolute(data.sweep_out)) throw refuse('the job names no absolute sweep folder');
  const manifestFile = path.join(data.sweep_out, 'sweep.json');
  let manifest: SweepManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as SweepManifest;
  } catch {
    throw refuse(`${manifestFile} is missing or not a sweep manifest: a job must name a sweep enqueued with engram sweep --queue`);
  }
  if (data.scenario !== manifest.scenario) throw refuse(`the job names the scenario ${String(data.scenario)}, the sweep's manifest ${manifest.scenario}`);
  const loaded = await loadScenario(manifest.scenario, { set: manifest.set });
  const defined = jobs(loaded.scenario.seed, manifest.grid, manifest.seeds, data.sweep_out, manifest.set).find((j) => j.id === id);
  if (!defined) throw refuse(`the sweep's manifest (${manifestFile}) defines no run of this id`);
  for (const key of ['index', 'params', 'seedIndex', 'seed', 'set', 'out'] as const)
    if (JSON.stringify(data.run[key]) !== JSON.stringify(defined[key]))
      throw refuse(`its ${key} (${JSON.stringify(data.run[key])}) is not the one the sweep's manifest defines (${JSON.stringify(defined[key])})`);
  return { job: defined, scenario: manifest.scenario };
}

/** What the sweep command leaves in Redis beside the jobs, for --status and for re-enqueueing. */
interface SweepRecord {
  manifest: SweepManifest;
  out: string;
  total: number;
  enqueued_at: string;
}

const recordKey = (q: QueueAddress) => `bull:${q.name}:engram-sweep`;
const csvLockKey = (q: QueueAddress) => `bull:${q.name}:engram-csv-lock`;
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

export interface EnqueueResult {
  queue: string;
  out: string;
  total: number;
  /** Runs whose run.json already exists: not enqueued. */
  finished: number;
  /** New jobs. */
  enqueued: number;
  /** Failed jobs of an earlier enqueue, given another attempt. */
  retried: number;
  /** Jobs already waiting or running: left as they are. */
  pending: number;
}

/**
 * Enqueues every unfinished run of a sweep as a BullMQ job (id = the run's id). Enqueueing the
 * same sweep again is safe: finished runs are skipped, queued ones left alone, failed ones
 * retried. A queue holds one sweep: another sweep on the same NAME is refused.
 */
export async function enqueueSweep(scenario: string, options: Omit<SweepOptions, 'workers' | 'onRun'> & { queue: string }): Promise<EnqueueResult> {
  const q = parseQueueUrl(options.queue);
  const out = path.resolve(options.out);
  // Workers on other machines read the scenario and write the runs by these paths.
  const manifest = sweepManifest(scenario, options);
  const queue = await openQueue(q);
  try {
    const client = await queue.client;
    const old = await client.get(recordKey(q));
    if (old) {
      const rec = JSON.parse(old) as SweepRecord;
      if (rec.out !== out || JSON.stringify(rec.manifest) !== JSON.stringify(manifest)) {
        throw new EngramError(
          `--queue ${q.url}: this queue holds another sweep (${path.basename(rec.manifest.scenario)} into ${rec.out}); give this one another queue NAME`,
        );
      }
    }
    const plan = await planSweep(scenario, { ...options, out, resume: options.resume || old !== null });
    const hash = sha256(manifest.scenario);
    let retried = 0;
    let pending = 0;
    const fresh: SweepJob[] = [];
    for (const j of plan.todo) {
      const job = await queue.getJob(j.id);
      if (!job) fresh.push(j);
      else {
        const state = await job.getState();
        if (state === 'failed') {
          await job.retry('failed');
          retried++;
        } else if (state === 'completed') {
          // Completed in Redis but no run.json: the output folder was cleared. Run it again.
          await job.remove();
          fresh.push(j);
        } else pending++;
      }
    }
    await queue.addBulk(
      fresh.map((j) => ({
        name: j.id,
        data: { scenario: manifest.scenario, sha256: hash, sweep_out: out, run: j },
        // A failing run fails for a reason another attempt would meet again (the worker marks it
        // unrecoverable); a worker that dies is handled by BullMQ's stalled-job check instead.
        opts: { jobId: j.id, attempts: 1, removeOnComplete: false, removeOnFail: false },
      })),
    );
    const record: SweepRecord = { manifest, out, total: plan.all.length, enqueued_at: new Date().toISOString() };
    await client.set(recordKey(q), JSON.stringify(record));
    writeSweepCsv(out, plan.grid, plan.finished);
    return { queue: q.url, out, total: plan.all.length, finished: plan.finished.length, enqueued: fresh.length, retried, pending };
  } finally {
    await queue.close();
  }
}

export interface QueueStatus {
  queue: string;
  /** The sweep on this queue (absent when nothing was enqueued on it). */
  scenario?: string;
  out?: string;
  total: number;
  /** Runs whose run.json exists in the shared output folder. */
  finished: number;
  counts: { waiting: number; active: number; completed: number; failed: number; delayed: number };
  running: { id: string; worker: string; started: string; attempt: number }[];
  failed: { id: string; reason: string }[];
  workers: number;
}

/** A queued sweep's progress, from Redis and the shared output folder. */
export async function queueStatus(url: string): Promise<QueueStatus> {
  const q = parseQueueUrl(url);
  const queue = await openQueue(q);
  try {
    return (await readStatus(queue, q)).status;
  } finally {
    await queue.close();
  }
}

/** The status on an open queue, with the finished runs it counted. */
async function readStatus(queue: Queue<QueuedRun, SweepRun>, q: QueueAddress): Promise<{ status: QueueStatus; runs: SweepRun[] }> {
  const client = await queue.client;
  const raw = await client.get(recordKey(q));
  const rec = raw ? (JSON.parse(raw) as SweepRecord) : undefined;
  const c = await queue.getJobCounts('waiting', 'prioritized', 'paused', 'active', 'completed', 'failed', 'delayed');
  const active = await queue.getJobs(['active']);
  const failed = await queue.getJobs(['failed']);
  const workers = await queue.getWorkersCount();
  const runs = rec ? finishedRuns(rec.out) : [];
  const status: QueueStatus = {
    queue: q.url,
    scenario: rec?.manifest.scenario,
    out: rec?.out,
    total: rec?.total ?? 0,
    finished: runs.length,
    counts: { waiting: c.waiting + c.prioritized + c.paused, active: c.active, completed: c.completed, failed: c.failed, delayed: c.delayed },
    running: active
      .map((j) => ({
        id: String(j.id),
        worker: j.processedBy ?? '?',
        started: j.processedOn ? new Date(j.processedOn).toISOString() : '?',
        attempt: (j.stalledCounter ?? 0) + 1,
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    failed: failed.map((j) => ({ id: String(j.id), reason: j.failedReason ?? '' })).sort((a, b) => a.id.localeCompare(b.id)),
    workers,
  };
  return { status, runs };
}

function finishedRuns(out: string): SweepRun[] {
  const dir = path.join(out, 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((id) => finishedRun(path.join(dir, id)))
    .filter((r): r is SweepRun => r !== undefined)
    .sort((a, b) => a.index - b.index);
}

/** Rewrites <out>/sweep.csv from every run.json there (the grid from sweep.json). */
export function rewriteSweepCsv(out: string): SweepRun[] {
  const manifest = readJsonFile(path.join(out, 'sweep.json'), "a sweep's manifest") as SweepManifest;
  const runs = finishedRuns(out);
  writeSweepCsv(out, manifest.grid, runs);
  return runs;
}

/**
 * Waits until a queued sweep has nothing left waiting or running, reporting each run as it
 * finishes; then writes the final sweep.csv. Returns the finished runs and the failed jobs.
 */
export async function waitForSweep(
  url: string,
  options: { pollMs?: number; onRun?: (done: number, total: number, run: SweepRun) => void } = {},
): Promise<{ runs: SweepRun[]; failed: QueueStatus['failed'] }> {
  const q = parseQueueUrl(url);
  // One connection for the whole wait, not one per poll.
  const queue = await openQueue(q);
  const seen = new Set<string>();
  try {
    for (;;) {
      const { status: s, runs } = await readStatus(queue, q);
      if (!s.out) throw new EngramError(`--queue ${q.url}: no sweep was enqueued on this queue`);
      for (const r of runs) {
        if (seen.has(r.id)) continue;
        seen.add(r.id);
        options.onRun?.(seen.size, s.total, r);
      }
      if (s.counts.waiting + s.counts.active + s.counts.delayed === 0) return { runs: rewriteSweepCsv(s.out), failed: s.failed };
      await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
    }
  } finally {
    await queue.close();
  }
}

export type WorkerEvent =
  | { type: 'ready'; worker: string; queue: string; concurrency: number }
  | { type: 'started'; id: string; params: Record<string, string>; seed: number; resumedFromEpoch?: number; stalls: number }
  | { type: 'finished'; run: SweepRun }
  | { type: 'skipped'; id: string }
  | { type: 'failed'; id: string; error: string }
  | { type: 'handed-back'; id: string; checkpointEpoch?: number }
  | { type: 'lost'; id: string }
  | { type: 'error'; message: string }
  | { type: 'stopped'; reason: string };

export interface WorkerOptions {
  /** Runs at a time, each in its own thread (default 1). */
  concurrency?: number;
  /**
   * How long a run's lock lasts without renewal, and how often this worker looks for runs whose
   * lock lapsed (a worker that died): such a run goes back to the queue. Default 30 s.
   */
  stalledSeconds?: number;
  /** Stop once the queue has nothing left waiting or running. */
  exitWhenEmpty?: boolean;
  onEvent?: (e: WorkerEvent) => void;
}

export interface SweepWorker {
  /** host:pid, as --status shows it. */
  name: string;
  /** Stops taking runs; runs in progress are stopped (a training saves a checkpoint) and go back to the queue. */
  stop(reason?: string): Promise<void>;
  /** Settles when the worker has stopped. */
  done: Promise<void>;
}

/** One thread running one scenario at a time (sweep-worker.ts), or this thread from TypeScript sources. */
class RunThread {
  private thread?: Thread;
  private pending?: (r: RunReply) => void;
  constructor(file: string | undefined) {
    if (!file) return;
    this.thread = new Thread(file);
    this.thread.on('message', (r: RunReply) => this.settle(r));
    this.thread.on('error', (err) => this.settle({ ok: false, error: `the run's thread failed: ${err.message}` }));
    this.thread.on('exit', () => this.settle({ ok: false, error: "the run's thread stopped", interrupted: true }));
  }
  private settle(r: RunReply) {
    const p = this.pending;
    this.pending = undefined;
    p?.(r);
  }
  private inline?: AbortController;
  async run(req: Extract<RunRequest, { type: 'run' }>): Promise<RunReply> {
    if (!this.thread) {
      this.inline = new AbortController();
      try {
        await runScenario(req.scenario, {
          set: req.set,
          seed: req.seed,
          out: req.out,
          resume: req.resume ? req.out : undefined,
          signal: this.inline.signal,
          lock: req.lock,
          // Runs share the machine with other runs: one thread each.
          threads: 1,
        });
        return { ok: true };
      } catch (err) {
        return { ok: false, error: (err as Error).message, interrupted: err instanceof RunInterrupted };
      }
    }
    return new Promise((resolve) => {
      this.pending = resolve;
      this.thread!.postMessage(req);
    });
  }
  abort() {
    this.inline?.abort('abort');
    this.thread?.postMessage({ type: 'abort' } satisfies RunRequest);
  }
  async terminate() {
    await this.thread?.terminate();
  }
}

/** Starts a worker that runs a queued sweep's jobs until stopped (engram worker). */
export async function startSweepWorker(url: string, options: WorkerOptions = {}): Promise<SweepWorker> {
  const q = parseQueueUrl(url);
  await checkReachable(q);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new EngramError(`--concurrency: expected an integer >= 1, found ${concurrency}`);
  const stalledMs = Math.round((options.stalledSeconds ?? 30) * 1000);
  if (!(stalledMs >= 500)) throw new EngramError(`--stalled-seconds: expected a number >= 0.5, found ${options.stalledSeconds}`);
  const emit = options.onEvent ?? (() => {});
  const name = `${hostname()}:${process.pid}`;
  const file = workerFile();
  const idle: RunThread[] = [];
  const busy = new Set<RunThread>();
  const active = new Map<string, RunThread>();
  const lost = new Set<string>();
  let stopping = false;

  // Other connections for plain commands: the emptiness check, and the CSV lock.
  const queue = new Queue<QueuedRun, SweepRun>(q.name, { connection: q.connection });
  queue.on('error', () => {});
  const client = new Redis(q.connection);
  client.on('error', () => {});

  const runJob = async (job: Job<QueuedRun, SweepRun>, token?: string): Promise<SweepRun> => {
    // Whoever can write to Redis can write jobs: run only a run the sweep's manifest defines
    // (its scenario, grid values, seeds and --set; its folder under the sweep's), never the
    // job's own idea of them (docs/sweeps.md, "Trust").
    let trusted: Awaited<ReturnType<typeof runFromManifest>>;
    try {
      trusted = await runFromManifest(job.data);
    } catch (err) {
      emit({ type: 'failed', id: String(job.id), error: (err as Error).message });
      throw err instanceof UnrecoverableError ? err : new UnrecoverableError((err as Error).message);
    }
    const { job: j, scenario } = trusted;
    // The record of finished work is run.json: never run a finished run again.
    const done = finishedRun(j.out);
    if (done) {
      emit({ type: 'skipped', id: j.id });
      return done;
    }
    if (!existsSync(scenario))
      throw new UnrecoverableError(
        `${j.id}: ${scenario} is not reachable from ${name}: workers need the scenario and the output folder at the same paths (a shared file system)`,
      );
    if (sha256(scenario) !== job.data.sha256)
      throw new UnrecoverableError(`${j.id}: ${scenario} changed after the sweep was enqueued; enqueue the sweep again on another queue`);
    const checkpoint = path.join(j.out, 'checkpoint.json');
    const resumedFromEpoch = existsSync(checkpoint) ? checkpointEpoch(checkpoint) : undefined;
    emit({ type: 'started', id: j.id, params: j.params, seed: j.seed, resumedFromEpoch, stalls: job.stalledCounter ?? 0 });
    const thread = idle.pop() ?? new RunThread(file);
    busy.add(thread);
    active.set(j.id, thread);
    const t0 = performance.now();
    let reply: RunReply;
    try {
      reply = await thread.run({ type: 'run', scenario, set: j.set, seed: j.seed, out: j.out, resume: resumedFromEpoch !== undefined, lock: false });
    } finally {
      busy.delete(thread);
      active.delete(j.id);
    }
    if (lost.delete(j.id)) {
      // Another worker has this run now (see lockRenewalFailed below): leave it to that one.
      throw new Error(`${j.id}: this worker lost its lock on the run (Redis unreachable for longer than the lock), and another worker took it over`);
    }
    if (!reply.ok && stopping && reply.interrupted) {
      await thread.terminate();
      // Back to the queue for another worker; a training continues from the checkpoint it just saved.
      await job.moveToWait(token);
      emit({ type: 'handed-back', id: j.id, checkpointEpoch: existsSync(checkpoint) ? checkpointEpoch(checkpoint) : undefined });
      throw new WaitingError();
    }
    idle.push(thread);
    if (!reply.ok) {
      emit({ type: 'failed', id: j.id, error: reply.error });
      throw new UnrecoverableError(
        `${j.id} (${
          Object.entries(j.params)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || 'no grid'
        }; seed ${j.seed}): ${reply.error}`,
      );
    }
    // Cut off from Redis, this worker may have gone on while another one ran the same run and
    // finished first: then that one's record stands.
    const run =
      finishedRun(j.out) ??
      finishRun(j, (performance.now() - t0) / 1000, { worker: name, ...(resumedFromEpoch !== undefined ? { resumed_from_epoch: resumedFromEpoch } : {}) });
    // Workers on several machines finish runs at once: one at a time rewrites sweep.csv from
    // every run.json, so the last writer's file holds every run finished before it.
    await withLock(client, csvLockKey(q), () => rewriteSweepCsv(job.data.sweep_out));
    emit({ type: 'finished', run });
    return run;
  };

  const worker = new Worker<QueuedRun, SweepRun>(q.name, runJob, {
    connection: q.connection,
    concurrency,
    name,
    lockDuration: stalledMs,
    stalledInterval: stalledMs,
    // A run whose worker died goes back to the queue up to 3 times, then fails.
    maxStalledCount: 3,
  });
  worker.on('error', (err) => emit({ type: 'error', message: err.message }));
  // Back in touch with Redis after longer than the lock lasts: the run went to another worker
  // meanwhile. Stop it here at once (no checkpoint: the other worker's are the ones to keep).
  worker.on('lockRenewalFailed', (ids) => {
    for (const id of ids) {
      const thread = active.get(id);
      if (!thread || lost.has(id)) continue;
      lost.add(id);
      emit({ type: 'lost', id });
      void thread.terminate();
    }
  });

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let emptyTimer: NodeJS.Timeout | undefined;

  const stop = async (reason = 'stopped') => {
    if (stopping) return done;
    stopping = true;
    if (emptyTimer) clearInterval(emptyTimer);
    for (const t of busy) t.abort();
    // A run that does not stop by itself (a memory experiment checks no signal) is cut off.
    const cut = setTimeout(() => {
      for (const t of busy) void t.terminate();
    }, 10_000);
    await worker.close();
    clearTimeout(cut);
    for (const t of idle.splice(0)) await t.terminate();
    await queue.close();
    client.disconnect();
    emit({ type: 'stopped', reason });
    resolveDone();
    return done;
  };

  if (options.exitWhenEmpty) {
    let checking = false;
    emptyTimer = setInterval(
      async () => {
        if (checking || stopping || busy.size) return;
        checking = true;
        try {
          const c = await queue.getJobCounts('waiting', 'prioritized', 'paused', 'active', 'delayed');
          if (Object.values(c).every((n) => n === 0)) void stop('the queue is empty');
        } catch {
          // Redis unreachable for a moment: ask again next time.
        } finally {
          checking = false;
        }
      },
      Math.min(1000, stalledMs),
    );
  }
  await worker.waitUntilReady();
  emit({ type: 'ready', worker: name, queue: q.url, concurrency });
  return { name, stop, done };
}

function checkpointEpoch(file: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { epochs_done?: number }).epochs_done;
  } catch {
    return undefined;
  }
}

async function withLock<T>(client: Redis, key: string, fn: () => T): Promise<T> {
  const token = randomUUID();
  // The lock expires by itself: a worker that dies holding it blocks the others for 30 s at most.
  while ((await client.set(key, token, 'PX', 30_000, 'NX')) !== 'OK') await new Promise((r) => setTimeout(r, 20));
  try {
    return fn();
  } finally {
    await client.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, key, token);
  }
}

/** Local sweeps' progress: the runs in <out> with a run.json, of all the sweep.json there lists. */
export function localSweepStatus(out: string): { out: string; scenario: string; total: number; finished: number } {
  const file = path.join(out, 'sweep.json');
  if (!existsSync(file)) throw new EngramError(`--status --out ${out}: no sweep.json there (not a sweep's output folder)`);
  const m = readJsonFile(file, "a sweep's manifest") as SweepManifest;
  const points = m.grid.reduce((n, [, values]) => n * values.length, 1);
  return { out, scenario: m.scenario, total: points * m.seeds, finished: finishedRuns(out).length };
}
