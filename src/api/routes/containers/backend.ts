// What the container routes need from the engine (the engine's Containers service satisfies it).
import type { Duplex, Readable } from 'node:stream';

export interface ContainersBackend {
  create(body: Record<string, any>, name?: string): Promise<{ Id: string; Warnings: string[] }>;
  start(ref: string): Promise<'started' | 'already'>;
  stop(ref: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  restart(ref: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  kill(ref: string, signal?: string): Promise<void>;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  /** Registers the wait synchronously (before resolving anything) so a start sent after it is seen. */
  wait(ref: string, condition: string, signal: AbortSignal): Promise<{ StatusCode: number; Error?: { Message: string } }>;
  remove(ref: string, opts: { force: boolean; volumes: boolean }): Promise<void>;
  rename(ref: string, name: string): Promise<void>;
  update(ref: string, body: Record<string, any>): Promise<{ Warnings: string[] }>;
  inspect(ref: string, opts: { size: boolean }): Promise<Record<string, unknown>> | Record<string, unknown>;
  list(opts: { all: boolean; limit: number; size: boolean; filters: Record<string, string[]> }): Promise<unknown[]> | unknown[];
  prune(filters: Record<string, string[]>): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }>;
  top(ref: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  /** Whether the container has a TTY (decides raw vs multiplexed output). */
  tty(ref: string): boolean;
  /** Log output as bytes ready to send: stdcopy frames, or raw with a TTY. */
  logs(ref: string, opts: { stdout: boolean; stderr: boolean; since?: number; until?: number; tail?: number; follow: boolean; timestamps: boolean; signal: AbortSignal }): AsyncIterable<Buffer>;
  stats(ref: string, opts: { stream: boolean; oneShot: boolean; signal: AbortSignal }): AsyncIterable<unknown>;
  attach(ref: string, opts: { stdin: boolean; stdout: boolean; stderr: boolean }, conn: Duplex): Promise<void>;
  resize(ref: string, h: number, w: number): Promise<void>;
  changes(ref: string): Promise<{ Path: string; Kind: number }[] | null>;
  export(ref: string, signal: AbortSignal): Promise<Readable>;
  archiveStat(ref: string, path: string): Promise<Record<string, unknown>>;
  archiveGet(ref: string, path: string, signal: AbortSignal): Promise<{ stat: Record<string, unknown>; stream: Readable }>;
  archivePut(ref: string, path: string, body: Readable, opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }): Promise<void>;
}
