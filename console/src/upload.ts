// The upload protocol the SDK and CLI use: hash every image (SHA-256), ask which the server lacks
// (`:findMissingImages`, with partial uploads to resume), send those in chunks (`:uploadImages`, a few calls in
// flight), then `:import` the CSV with each URI mapped to its image's hash.
import { ApiError, isApiError, namePath, post, sleep } from './api';
import type { ImportPlan, SourceFile } from './sources';
import { sha256Hex } from './sha256';
import type { Operation } from './types';

export interface UploadProgress {
  phase: 'hashing' | 'checking' | 'uploading' | 'importing';
  images: number;
  hashed: number;
  /** Distinct images the server already had (whole). */
  alreadyThere: number;
  toUpload: number;
  uploaded: number;
  bytesToUpload: number;
  bytesUploaded: number;
}

const CALL_BYTES = 1536 * 1024; // raw bytes per :uploadImages call (base64 adds a third)
const CHUNK_BYTES = 1024 * 1024; // at most this much of one image per chunk
const IN_FLIGHT = 3;
const HASH_BATCH = 1000;

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(s);
}

export function utf8Base64(text: string): string {
  return toBase64(new TextEncoder().encode(text));
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Retries what is worth retrying (overload, unavailability, timeouts, the network), a few times. */
async function withRetry<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const retryable = isApiError(e) && [8, 14, 4].includes(e.code);
      if (!retryable || attempt >= 5) throw e;
      const delay = (e as ApiError).retryDelaySeconds ?? 0.5 * 2 ** attempt;
      await sleep(Math.min(10, delay) * 1000, signal);
    }
  }
}

interface Pending {
  sha: string;
  file: SourceFile;
  size: number;
  next: number;
  busy: boolean;
  done: boolean;
  stalls: number;
  bytes?: Uint8Array;
}

export async function uploadAndImport(
  dataset: string,
  plan: ImportPlan,
  onProgress: (p: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<Operation> {
  const path = namePath(dataset);
  const distinct = [...new Set(plan.files.values())];
  const progress: UploadProgress = {
    phase: 'hashing', images: distinct.length, hashed: 0, alreadyThere: 0, toUpload: 0, uploaded: 0,
    bytesToUpload: 0, bytesUploaded: 0,
  };
  const report = () => onProgress({ ...progress });
  report();

  // 1. Hash each chosen file once (bytes are read again when uploading, so memory stays bounded).
  const hashOf = new Map<SourceFile, string>();
  let lastReport = 0;
  await mapLimit(distinct, 4, async (file) => {
    if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const bytes = await file.read();
    hashOf.set(file, await sha256Hex(bytes));
    progress.hashed++;
    if (performance.now() - lastReport > 100) {
      lastReport = performance.now();
      report();
    }
  });

  // 2. Which images the server lacks, and how much of each it already has.
  progress.phase = 'checking';
  report();
  const byHash = new Map<string, SourceFile>();
  for (const [file, sha] of hashOf) byHash.set(sha, file);
  const hashes = [...byHash.keys()];
  const pending: Pending[] = [];
  for (let i = 0; i < hashes.length; i += HASH_BATCH) {
    const batch = hashes.slice(i, i + HASH_BATCH);
    const answer = await withRetry(() => post<{ missing?: { sha256?: string; receivedBytes?: string | number }[] }>(
      `${path}:findMissingImages`, { sha256: batch }), signal);
    for (const m of answer.missing ?? []) {
      const file = m.sha256 ? byHash.get(m.sha256) : undefined;
      if (!file) continue;
      const received = Number(m.receivedBytes ?? 0);
      pending.push({ sha: m.sha256!, file, size: file.size, next: received, busy: false, done: false, stalls: 0 });
      progress.bytesToUpload += file.size - received;
    }
  }
  progress.toUpload = pending.length;
  progress.alreadyThere = byHash.size - pending.length;

  // 3. Upload: a call carries chunks of several images (~1.5 MiB), at most IN_FLIGHT calls at once; one image's
  // chunks go in order, one at a time, each from where the server says it has got to.
  progress.phase = 'uploading';
  report();
  const nextCall = async (): Promise<{ item: Pending; offset: number; data: Uint8Array }[] | null> => {
    const chunks: { item: Pending; offset: number; data: Uint8Array }[] = [];
    let budget = CALL_BYTES;
    for (const item of pending) {
      if (budget <= 0) break;
      if (item.busy || item.done) continue;
      const take = Math.min(item.size - item.next, CHUNK_BYTES, Math.max(budget, 64 * 1024));
      item.busy = true;
      item.bytes ??= await item.file.read();
      chunks.push({ item, offset: item.next, data: item.bytes.subarray(item.next, item.next + take) });
      budget -= take;
    }
    return chunks.length ? chunks : null;
  };
  let failure: unknown = null;
  const worker = async () => {
    try {
      for (;;) {
        if (failure) return;
        if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
        const chunks = await nextCall();
        if (!chunks) {
          if (pending.every((p) => p.done)) return;
          await sleep(25, signal); // another call carries the next chunk of the images left
          continue;
        }
        const body = {
          chunks: chunks.map((c) => ({
            sha256: c.item.sha,
            offset: String(c.offset),
            totalBytes: String(c.item.size),
            data: toBase64(c.data),
          })),
        };
        type Progress = { sha256?: string; receivedBytes?: string | number; complete?: boolean };
        type Answer = { images?: Progress[] };
        const answer = await withRetry(() => post<Answer>(`${path}:uploadImages`, body), signal);
        const results = new Map((answer.images ?? []).map((r) => [r.sha256, r]));
        for (const c of chunks) {
          const r = results.get(c.item.sha);
          const before = c.item.next;
          c.item.busy = false;
          if (!r) throw new ApiError({ code: 13, message: `the server did not answer for ${c.item.file.path}` }, 0);
          if (r.complete) {
            c.item.done = true;
            c.item.bytes = undefined;
            progress.uploaded++;
            progress.bytesUploaded += c.item.size - before;
            continue;
          }
          // Not complete: carry on from where the server says it has got to.
          const received = Number(r.receivedBytes ?? 0);
          if (received <= before && ++c.item.stalls > 3) {
            throw new ApiError({ code: 13, message: `the upload of ${c.item.file.path} makes no progress` }, 0);
          }
          progress.bytesUploaded += received - before;
          c.item.next = received;
        }
        report();
      }
    } catch (e) {
      failure ??= e;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  if (failure) throw failure;

  // 4. Import: the CSV, and the hash of the image behind each URI.
  progress.phase = 'importing';
  report();
  const uploadedImages: Record<string, string> = {};
  for (const [uri, file] of plan.files) uploadedImages[uri] = hashOf.get(file)!;
  return post<Operation>(`${path}:import`, {
    inputConfig: { csvContent: utf8Base64(plan.csv), uploadedImages },
  });
}
