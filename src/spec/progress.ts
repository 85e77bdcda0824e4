// What long-running image operations (pull, push, load, build) report while they run; the API turns each
// event into one line of Docker's JSON progress stream (api/stream/json-progress.ts). Types only.

export interface ProgressEvent {
  /** The object the status is about (a short layer ID, a tag); absent for whole-operation messages. */
  id?: string;
  status?: string;
  /** Byte progress; Docker draws a bar when total is known. */
  current?: number;
  total?: number;
  /** Docker sends `progressDetail: {}` on layer status lines; `detail: true` asks for it without numbers. */
  detail?: boolean;
  /** Build output (`{"stream": …}`). */
  stream?: string;
  /** Result records (`{"aux": …}`): a pushed digest, a built image ID. */
  aux?: unknown;
}

export type ProgressSink = (event: ProgressEvent) => void;
