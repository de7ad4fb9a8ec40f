/**
 * A real Redis for the queued-sweep tests: the server .ci/run started (ENGRAM_TEST_REDIS=HOST:PORT),
 * or else a redis-server (Debian package redis-server) this process starts on a free loopback
 * port, with no persistence, and stops afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const redisBinary = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((f) => spawnSync(f, ['--version']).status === 0);

export interface TestRedis {
  /** redis://HOST:PORT/NAME */
  url(name: string): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function ping(host: string, port: number): Promise<boolean> {
  const r = new Redis({ host, port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export async function startRedis(): Promise<TestRedis> {
  const shared = process.env.ENGRAM_TEST_REDIS;
  if (shared) {
    const [host, port] = shared.split(':');
    if (!(await ping(host, Number(port)))) throw new Error(`ENGRAM_TEST_REDIS=${shared}: no Redis answers there`);
    return { url: (name) => `redis://${host}:${port}/${name}`, stop: async () => {} };
  }
  if (!redisBinary) throw new Error('redis-server is not installed (apt-get install -y redis-server)');
  const port = await freePort();
  const server: ChildProcess = spawn(redisBinary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await ping('127.0.0.1', port)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(await ping('127.0.0.1', port))) {
    server.kill('SIGKILL');
    throw new Error(`redis-server did not start on 127.0.0.1:${port}`);
  }
  return {
    url: (name) => `redis://127.0.0.1:${port}/${name}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}
