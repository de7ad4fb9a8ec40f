/**
 * Queued sweeps on a real redis-server (test/redis.ts) with real `engram worker` processes:
 * one killed with SIGKILL in the middle of a run, one stopped with SIGTERM. Every run must be
 * finished exactly once, and the figures must be those of the same sweep run locally.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQueueUrl } from '../app/sweep-queue.js';
import { redisBinary, startRedis, type TestRedis } from './redis.js';
import { tempDir } from './helpers.js';

const available = Boolean(process.env.ENGRAM_TEST_REDIS || redisBinary);
// CI installs and starts Redis (.ci/run): there, its absence is a failure, not a skip.
if (!available && !process.env.CI)
  console.warn('sweep-queue.test.ts: redis-server is not installed (apt-get install -y redis-server): the queued-sweep tests are skipped');

function engram(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli/engram.js', ...args], { encoding: 'utf8', env: { ...process.env, ENGRAM_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A running engram process whose output can be awaited line by line. */
class Proc {
  readonly child: ChildProcess;
  out = '';
  err = '';
  readonly exited: Promise<number | null>;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['dist/cli/engram.js', ...args], { env: { ...process.env, ENGRAM_DEBUG: '' } });
    this.child.stdout!.on('data', (d) => (this.out += d));
    this.child.stderr!.on('data', (d) => (this.err += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }
  async waitFor(re: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const t0 = Date.now();
    for (;;) {
      const m = this.out.match(re);
      if (m) return m;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${re}; stdout so far:\n${this.out}\nstderr:\n${this.err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * A TCP relay to Redis that can cut a worker off (a network partition) and let it back:
 * while cut, it drops every connection and every new one.
 */
async function relay(target: string): Promise<{ url(name: string): string; cut(): void; heal(): void; close(): void }> {
  const { createServer, connect } = await import('node:net');
  const [, host, port] = /redis:\/\/([^:]+):(\d+)/.exec(target)!;
  let cut = false;
  const open = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = connect(Number(port), host);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const p = (server.address() as { port: number }).port;
  return {
    url: (name) => `redis://127.0.0.1:${p}/${name}`,
    cut: () => {
      cut = true;
      for (const s of open) s.destroy();
    },
    heal: () => (cut = false),
    close: () => {
      for (const s of open) s.destroy();
      server.close();
    },
  };
}

const epochsDone = (file: string) => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')).epochs_done as number) : -1);

async function until(cond: () => boolean, what: string, timeoutMs = 60_000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const csvRows = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

describe('queue addresses', () => {
  it('parses redis://HOST:PORT/NAME and refuses what is not one, saying what is expected', () => {
    const q = parseQueueUrl('redis://user:p%40ss@10.0.0.5:6380/my-sweep.2?db=3');
    expect(q.name).toBe('my-sweep.2');
    expect(q.connection).toMatchObject({ host: '10.0.0.5', port: 6380, username: 'user', password: 'p@ss', db: 3 });
    expect(parseQueueUrl('rediss://h/x').connection).toMatchObject({ port: 6379, tls: {} });
    expect(() => parseQueueUrl('http://h:1/x')).toThrow(/expected redis:\/\/HOST:PORT\/NAME .* found the scheme http:/);
    expect(() => parseQueueUrl('redis://h:1/')).toThrow(/the queue NAME is missing/);
    expect(() => parseQueueUrl('redis://h:1/a:b')).toThrow(/may hold only letters/);
    expect(() => parseQueueUrl('h:1/x')).toThrow(/expected redis:\/\//);
    expect(() => parseQueueUrl('redis://h:1/x?db=two')).toThrow(/\?db= expects a database number, found "two"/);
    // The password is never printed: the address the queue reports, and every message, hide it.
    expect(q.url).toBe('redis://user:***@10.0.0.5:6380/my-sweep.2?db=3');
    expect(() => parseQueueUrl('redis://u:s3cret@h:1/')).toThrow('--queue redis://u:***@h:1/: expected redis://');
    expect(() => parseQueueUrl('redis://:s3cret@h:1/x?db=two')).toThrow(/^--queue redis:\/\/:\*\*\*@h:1\/x\?db=two:/);
  });

  it('a worker or sweep that cannot reach Redis says so and exits 2, with no stack trace', async () => {
    // A loopback port with nothing listening.
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const w = engram('worker', '--queue', `redis://127.0.0.1:${port}/q`);
    expect(w.code).toBe(2);
    expect(w.err).toMatch(new RegExp(`--queue redis://127.0.0.1:${port}/q: cannot reach Redis at 127.0.0.1:${port}: .*is redis-server running there\\?`));
    expect(w.err).not.toMatch(/\n\s+at /);
    const s = engram('sweep', '--status', '--queue', 'ftp://x/y');
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/expected redis:\/\/HOST:PORT\/NAME/);
  });
});

describe.skipIf(!available && !process.env.CI)('engram sweep --queue and engram worker, on a real redis-server', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const common = ['--set', 'training.epochs=30', '--grid', 'projections.0.plasticity.params.eta=0.001,0.003', '--seeds', '2'];

  it("two workers, one killed mid-run: every run finishes exactly once, the killed one resumed from its checkpoint, and the figures are the local sweep's", async () => {
    const out = tempDir();
    const queue = redis.url('killed');
    const sweep = new Proc(['sweep', 'scenarios/xor-rate.yaml', ...common, '--out', `${out.dir}/q`, '--queue', queue, '--wait']);
    await sweep.waitFor(/4 runs into .*: 4 runs enqueued/);
    // A lock of 2 s, renewed every second by a main thread that runs no simulation: a busy CI
    // machine does not make a live worker look dead.
    const worker = () => new Proc(['worker', '--queue', queue, '--stalled-seconds', '2', '--exit-when-empty']);
    const a = worker();
    const b = worker();
    // Kill A in the middle of its first run, once that run has saved two epochs.
    const [, killedId] = await a.waitFor(/(run-\d) started/);
    const checkpoint = `${out.dir}/q/runs/${killedId}/checkpoint.json`;
    await until(() => epochsDone(checkpoint) >= 2, `${killedId} has a checkpoint after 2 epochs`);
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe(null);

    expect(await sweep.exited).toBe(0);
    expect(sweep.out).toMatch(/wrote .*sweep\.csv: 4 of 4 runs/);
    expect(await b.exited).toBe(0);
    expect(b.out).toMatch(/worker stopped: the queue is empty/);

    // Exactly once: each run finished once over both workers; A finished none (it died in its first).
    const finished = [...(a.out + b.out).matchAll(/(run-\d) finished in/g)].map((m) => m[1]).sort();
    expect(finished).toEqual(['run-0', 'run-1', 'run-2', 'run-3']);
    expect(a.out).not.toMatch(/finished in/);
    // B took the killed run over after A's lock lapsed, from A's checkpoint, not from scratch.
    const resumed = b.out.match(new RegExp(`${killedId} started, resumed from its checkpoint \\((\\d+) epochs done\\) \\(its worker stopped once\\)`));
    expect(resumed, b.out).not.toBe(null);
    expect(Number(resumed![1])).toBeGreaterThanOrEqual(2);
    const record = JSON.parse(readFileSync(`${out.dir}/q/runs/${killedId}/run.json`, 'utf8'));
    expect(record.resumed_from_epoch).toBe(Number(resumed![1]));
    expect(record.worker).toMatch(new RegExp(`:${b.child.pid}$`));

    // The queue agrees: 4 completed, none failed or left.
    const status = engram('sweep', '--status', '--json', '--queue', queue);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ total: 4, finished: 4, counts: { waiting: 0, active: 0, completed: 4, failed: 0, delayed: 0 }, failed: [] });
    // Enqueueing the same sweep again finds nothing to do.
    const again = engram('sweep', 'scenarios/xor-rate.yaml', ...common, '--out', `${out.dir}/q`, '--queue', queue);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/4 runs into .*: 0 runs enqueued, 4 finished before/);

    // The same sweep run locally gives the same figures, run by run (the wall time aside).
    expect(engram('sweep', 'scenarios/xor-rate.yaml', ...common, '--out', `${out.dir}/local`, '--workers', '2').code).toBe(0);
    const strip = (rows: string[][]) => rows.map((r) => r.slice(0, -1));
    expect(strip(csvRows(`${out.dir}/q/sweep.csv`))).toEqual(strip(csvRows(`${out.dir}/local/sweep.csv`)));
    expect(csvRows(`${out.dir}/q/sweep.csv`)).toHaveLength(5);
    out.done();
  }, 180_000);

  it('a worker stopped with SIGTERM hands its run back with a checkpoint and exits 0; the next worker continues it', async () => {
    const out = tempDir();
    const queue = redis.url('handback');
    const args = ['sweep', 'scenarios/xor-rate.yaml', '--set', 'training.epochs=25', '--out', out.dir, '--queue', queue];
    expect(engram(...args).code).toBe(0);
    const a = new Proc(['worker', '--queue', queue]);
    await a.waitFor(/run-0 started/);
    await until(() => epochsDone(`${out.dir}/runs/run-0/checkpoint.json`) >= 1, 'run-0 has a checkpoint after an epoch');
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(a.out).toMatch(/run-0 handed back to the queue \(its checkpoint: \d+ epochs done\)/);
    expect(a.out).toMatch(/worker stopped: SIGTERM/);
    const mid = JSON.parse(engram('sweep', '--status', '--json', '--queue', queue).out);
    expect(mid.counts).toMatchObject({ waiting: 1, active: 0, completed: 0 });

    const b = new Proc(['worker', '--queue', queue, '--exit-when-empty']);
    expect(await b.exited).toBe(0);
    // Handed back, not died: the run was not counted as stalled.
    expect(b.out).toMatch(/run-0 started, resumed from its checkpoint \(\d+ epochs done\): no grid/);
    expect(b.out).toMatch(/run-0 finished in/);
    expect(b.out).not.toMatch(/stopped once/);
    const alone = engram(
      'run',
      'scenarios/xor-rate.yaml',
      '--set',
      'training.epochs=25',
      '--seed',
      String(JSON.parse(readFileSync(`${out.dir}/runs/run-0/run.json`, 'utf8')).seed),
      '--out',
      `${out.dir}/alone`,
      '--quiet',
    );
    expect(alone.code).toBe(0);
    // The training's whole record (accuracies, HSIC per layer, per epoch), wall times aside.
    const acc = (dir: string) => JSON.stringify(JSON.parse(readFileSync(`${dir}/summary.json`, 'utf8')).training, (k, v) => (k === 'wall_s' ? undefined : v));
    expect(acc(`${out.dir}/runs/run-0`)).toBe(acc(`${out.dir}/alone`));
    expect(acc(`${out.dir}/alone`)).toMatch(/"epoch":25/);
    out.done();
  }, 120_000);

  it('a run finished elsewhere is never run again; a failing run fails its job with the reason, and --wait exits 2 naming it', async () => {
    const out = tempDir();
    const queue = redis.url('skip-and-fail');
    const args = ['sweep', 'scenarios/xor-rate.yaml', '--set', 'training.epochs=2', '--seeds', '2', '--out', out.dir];
    expect(engram(...args, '--queue', queue).code).toBe(0);
    // Both runs done by a local sweep into the same folder before any worker starts.
    expect(engram(...args, '--resume', '--workers', '0').code).toBe(0);
    const before = readFileSync(`${out.dir}/runs/run-1/run.json`, 'utf8');
    const w = new Proc(['worker', '--queue', queue, '--exit-when-empty']);
    expect(await w.exited).toBe(0);
    expect(w.out).toMatch(/run-0 was already finished \(its run.json exists\): not run again/);
    expect(w.out).toMatch(/run-1 was already finished/);
    expect(w.out).not.toMatch(/started/);
    expect(readFileSync(`${out.dir}/runs/run-1/run.json`, 'utf8')).toBe(before);

    // A grid value that passes the scenario schema but not the plugin's parameter check.
    const bad = redis.url('fails');
    const sweep = new Proc([
      'sweep',
      'scenarios/xor-rate.yaml',
      '--set',
      'training.epochs=2',
      '--grid',
      'projections.0.plasticity.params.eta=0.001,-1',
      '--out',
      `${out.dir}/bad`,
      '--queue',
      bad,
      '--wait',
    ]);
    await sweep.waitFor(/2 runs enqueued/);
    const w2 = new Proc(['worker', '--queue', bad, '--exit-when-empty']);
    expect(await w2.exited).toBe(0);
    expect(await sweep.exited).toBe(2);
    expect(sweep.err).toMatch(/1 runs failed:\n.*run-1 \(projections\.0\.plasticity\.params\.eta=-1; seed \d+\): .*eta/);
    expect(sweep.err).not.toMatch(/\n\s+at /);
    const status = engram('sweep', '--status', '--queue', bad);
    expect(status.out).toMatch(/1 of 2 runs finished; 0 running, 0 waiting, 1 failed/);
    expect(status.out).toMatch(/failed: run-1 /);
    // Another sweep on a queue that holds one is refused.
    const other = engram('sweep', 'scenarios/xor.yaml', '--out', `${out.dir}/other`, '--queue', bad);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/this queue holds another sweep \(xor-rate\.yaml into .*bad\); give this one another queue NAME/);
    out.done();
  }, 120_000);

  it("a worker cut off from Redis loses its run to another worker, and stops it when it is back, leaving the other one's result", async () => {
    const out = tempDir();
    const queue = redis.url('partition');
    expect(engram('sweep', 'scenarios/xor-rate.yaml', '--set', 'training.epochs=250', '--out', out.dir, '--queue', queue).code).toBe(0);
    const link = await relay(queue);
    const a = new Proc(['worker', '--queue', link.url('partition'), '--stalled-seconds', '1', '--exit-when-empty']);
    await a.waitFor(/run-0 started/);
    await until(() => epochsDone(`${out.dir}/runs/run-0/checkpoint.json`) >= 2, 'run-0 has a checkpoint after 2 epochs');
    link.cut();
    const b = new Proc(['worker', '--queue', queue, '--stalled-seconds', '1', '--exit-when-empty']);
    await b.waitFor(/run-0 started, resumed from its checkpoint \(\d+ epochs done\) \(its worker stopped once\)/);
    link.heal();
    // Back in touch, A learns that its lock is gone and stops the run, long before it would end.
    await a.waitFor(/run-0 stopped here: another worker took it over while this one could not reach Redis/);
    expect(await b.exited).toBe(0);
    expect(await a.exited).toBe(0);
    link.close();
    expect(b.out).toMatch(/run-0 finished in/);
    expect(a.out).not.toMatch(/finished in/);
    expect(JSON.parse(readFileSync(`${out.dir}/runs/run-0/run.json`, 'utf8')).worker).toMatch(new RegExp(`:${b.child.pid}$`));
    const status = JSON.parse(engram('sweep', '--status', '--json', '--queue', queue).out);
    expect(status).toMatchObject({ finished: 1, counts: { completed: 1, failed: 0, active: 0, waiting: 0 } });
    out.done();
  }, 120_000);

  it('a job written to the queue by hand runs only what the sweep manifest defines: plugin and output overrides are refused, the plugin never loaded', async () => {
    const out = tempDir();
    const queue = redis.url('hostile');
    expect(engram('sweep', 'scenarios/xor-rate.yaml', '--set', 'training.epochs=1', '--out', out.dir, '--queue', queue).code).toBe(0);
    // A plugin that leaves a mark when it is imported.
    const mark = `${out.dir}/evil-ran`;
    writeFileSync(`${out.dir}/evil.js`, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(mark)}, 'x');\nexport default undefined;\n`);
    const { Queue } = await import('bullmq');
    const q = new Queue('hostile', { connection: parseQueueUrl(queue).connection });
    const good = (await q.getJob('run-0'))!.data;
    const hostile = [
      { ...good, run: { ...good.run, id: 'run-0', set: [...good.run.set, `plugins=[${out.dir}/evil.js]`] } },
      { ...good, run: { ...good.run, out: `${out.dir}/../elsewhere` } },
      { ...good, run: { ...good.run, seed: 1234 } },
    ];
    await (await q.getJob('run-0'))!.remove();
    await q.addBulk(hostile.map((data, i) => ({ name: `h${i}`, data, opts: { jobId: `h${i}`, attempts: 1 } })));
    await q.close();
    const w = new Proc(['worker', '--queue', queue, '--exit-when-empty']);
    await w.exited;
    expect(existsSync(mark)).toBe(false);
    expect(existsSync(`${out.dir}/../elsewhere`)).toBe(false);
    const text = w.out + w.err;
    expect(text).toMatch(/run-0: refused: its set .* is not the one the sweep's manifest defines/);
    expect(text).toMatch(/run-0: refused: its out .* is not the one the sweep's manifest defines/);
    expect(text).toMatch(/run-0: refused: its seed \(1234\)/);
    out.done();
  }, 120_000);

  it('no queue command prints the password of the Redis address, and a wrong password is reported as an authentication failure', async () => {
    const out = tempDir();
    // A user with a password of its own (the server's default user is left as it is).
    const secret = 'pw-Zq83kVb';
    const base = new URL(redis.url('secret-sweep'));
    const { Redis } = await import('ioredis');
    const admin = new Redis({ host: base.hostname, port: Number(base.port) });
    await admin.call('ACL', 'SETUSER', 'engram-test', 'on', `>${secret}`, '~*', '&*', '+@all');
    const queue = `redis://engram-test:${secret}@${base.host}/secret-sweep`;
    const printed: string[] = [];
    const keep = (r: { out: string; err: string }) => printed.push(r.out, r.err);
    const args = ['sweep', 'scenarios/xor-rate.yaml', '--set', 'training.epochs=1', '--out', out.dir, '--queue', queue];
    keep(engram(...args));
    keep(engram(...args)); // enqueued again
    const w = new Proc(['worker', '--queue', queue, '--exit-when-empty']);
    await w.exited;
    keep(w);
    keep(engram('sweep', '--status', '--queue', queue));
    keep(engram('sweep', '--status', '--json', '--queue', queue));
    keep(engram(...args, '--wait'));
    const wrong = engram('sweep', '--status', '--queue', `redis://engram-test:not-${secret}@${base.host}/secret-sweep`);
    keep(wrong);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/refused the authentication: WRONGPASS/);
    expect(wrong.err).not.toMatch(/Connection is closed/);
    keep(engram('worker', '--queue', `redis://engram-test:not-${secret}@${base.host}/secret-sweep`, '--exit-when-empty'));
    const lines = printed.join('\n').split('\n');
    expect(lines.length).toBeGreaterThan(10);
    expect(printed.join('\n')).toMatch(/engram-test:\*\*\*@/);
    expect(lines.filter((l) => l.includes(secret))).toEqual([]);
    await admin.call('ACL', 'DELUSER', 'engram-test');
    admin.disconnect();
    out.done();
  }, 120_000);
});
