import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/** Where Debian's `postgresql` package puts the server binaries (`just setup-postgres`). */
const DEBIAN_ROOT = "/usr/lib/postgresql";
/** How long the throwaway server may take to accept connections. */
const START_WAIT_MS = 60_000;

/** A throwaway Postgres cluster for tests: trust auth, a unix socket in its own temp dir. */
export interface PostgresServer {
  /** Creates an empty database and returns its URL: one per test keeps tests apart. */
  createDatabase(): Promise<string>;
  /** The postmaster's process id (its backends are its children): the bench meters their CPU. */
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Starts a private cluster (initdb + postgres) in a mkdtemp dir, listening on a unix socket
 * only, so parallel test files never fight over a port. Postgres refuses to run as root: as
 * root the cluster runs as the `postgres` user the Debian package creates.
 */
export async function startPostgresServer(
  options: { readonly maxConnections?: number } = {},
): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-pg-"));
  const data = path.join(dir, "data");
  const owner = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(
    path.join(bin, "initdb"),
    ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "--locale=C", "-E", "UTF8"],
    { stdio: "ignore", ...as },
  );
  const server: ChildProcess = spawn(
    path.join(bin, "postgres"),
    [
      ...["-D", data, "-k", dir, "-c", "listen_addresses=", "-c", "fsync=off"],
      // Postgres' default (100) is enough for the tests; the bench's scale section needs more.
      ...(options.maxConnections ? ["-c", `max_connections=${options.maxConnections}`] : []),
    ],
    { stdio: "ignore", ...as },
  );
  const admin = `postgresql://postgres@/postgres?host=${encodeURIComponent(dir)}`;
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGINT"); // fast shutdown
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForServer(admin, server);
  } catch (error) {
    await stop();
    throw error;
  }
  let count = 0;
  return {
    async createDatabase() {
      const name = `test_${process.pid}_${++count}`;
      const client = new pg.Client(admin);
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return `postgresql://postgres@/${name}?host=${encodeURIComponent(dir)}`;
    },
    pid: server.pid ?? 0,
    stop,
  };
}

function postgresBinDir(): string {
  const versions = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT).filter((v) => existsSync(path.join(DEBIAN_ROOT, v, "bin", "initdb")))
    : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) {
    throw new Error(`no Postgres server under ${DEBIAN_ROOT}: run \`npx just setup-postgres\``);
  }
  return path.join(DEBIAN_ROOT, newest, "bin");
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) =>
    Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

async function waitForServer(url: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_WAIT_MS;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode}`);
    const client = new pg.Client(url);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
