// What a person chose to import (a folder, images plus a CSV, or a zip of either) as a plan: the CSV to send
// and the file behind each URI it names.
import { unzip } from 'fflate';
import { csvField, parseCsv, splitName, splitRow } from './csv';

export interface SourceFile {
  /** Path inside what was chosen, `/`-separated, e.g. `cirrus/a.jpg`. */
  path: string;
  size: number;
  read: () => Promise<Uint8Array>;
}

export interface ImportPlan {
  layout: 'folders' | 'csv';
  /** The CSV sent to the server (the person's own, unchanged, in the CSV layout). */
  csv: string;
  csvName?: string;
  /** Each URI as written in the CSV -> the file it names. */
  files: Map<string, SourceFile>;
  rowCount: number;
  /** Rows per label, from the CSV. */
  labels: Map<string, number>;
  /** Rows per split ("" = the server splits). */
  sets: Map<string, number>;
  /** Things the person should know before uploading: ignored files, URIs naming no chosen file. */
  notes: string[];
  unmatched: { line: number; uri: string }[];
  totalBytes: number;
}

const IMAGE_EXTENSIONS = /\.(jpe?g|png|gif|bmp|webp|tiff?)$/i;

function isHidden(path: string): boolean {
  return path.split('/').some((p) => p.startsWith('.') || p === '__MACOSX' || p === 'Thumbs.db');
}

export function fromFileList(list: FileList | File[]): SourceFile[] {
  return Array.from(list).map((f) => ({
    path: (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name,
    size: f.size,
    read: async () => new Uint8Array(await f.arrayBuffer()),
  }));
}

/** The files of a drop, walking dropped folders (webkitGetAsEntry). */
export async function fromDataTransfer(dt: DataTransfer): Promise<SourceFile[]> {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(dt.items)) {
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return fromFileList(dt.files);
  const out: SourceFile[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({
        path: entry.fullPath.replace(/^\//, ''),
        size: file.size,
        read: async () => new Uint8Array(await file.arrayBuffer()),
      });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  for (const e of entries) await walk(e);
  return out;
}

/** The entries of a zip file (unpacked in memory, off the main thread where the browser allows). */
export async function fromZip(file: File): Promise<SourceFile[]> {
  const data = new Uint8Array(await file.arrayBuffer());
  const entries = await new Promise<Record<string, Uint8Array>>((resolve, reject) =>
    unzip(data, (err, result) => (err ? reject(new Error(`${file.name}: not a readable zip (${err.message})`)) : resolve(result))));
  return Object.entries(entries)
    .filter(([path]) => !path.endsWith('/'))
    .map(([path, bytes]) => ({ path, size: bytes.length, read: async () => bytes }));
}

/** Expands zips among the chosen files into their entries. */
export async function expandZips(files: SourceFile[], originals: File[]): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for (const f of files) {
    if (/\.zip$/i.test(f.path)) {
      const original = originals.find((o) => ((o as File & { webkitRelativePath?: string }).webkitRelativePath || o.name) === f.path);
      const zipFile = original ?? new File([await f.read() as Uint8Array<ArrayBuffer>], f.path);
      out.push(...await fromZip(zipFile));
    } else {
      out.push(f);
    }
  }
  return out;
}

/**
 * Removes the folder every image and CSV path starts with (the chosen folder itself, or a zip's top folder), while
 * that leaves label/file; other files (a README beside the label folders) do not count.
 */
function stripCommonRoot(files: SourceFile[]): SourceFile[] {
  let current = files;
  for (;;) {
    const relevant = current.filter((f) => IMAGE_EXTENSIONS.test(f.path) || /\.csv$/i.test(f.path));
    if (relevant.length === 0) return current;
    const first = relevant[0].path.split('/')[0];
    // A top folder named after a split is part of the layout (TRAIN/cirrus/a.jpg), not a folder to drop.
    const allShare = !splitName(first) && relevant.every((f) => {
      const parts = f.path.split('/');
      return parts.length >= 3 && parts[0] === first;
    });
    if (!allShare) return current;
    current = current.filter((f) => f.path.startsWith(`${first}/`)).map((f) => ({ ...f, path: f.path.slice(first.length + 1) }));
  }
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export async function planImport(chosen: SourceFile[]): Promise<ImportPlan> {
  const visible = chosen.filter((f) => !isHidden(f.path));
  const files = stripCommonRoot(visible);
  const csvFiles = files.filter((f) => /\.csv$/i.test(f.path))
    .sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path));
  return csvFiles.length > 0 ? planFromCsv(files, csvFiles) : planFromFolders(files);
}

function planFromFolders(files: SourceFile[]): ImportPlan {
  const images = files.filter((f) => IMAGE_EXTENSIONS.test(f.path));
  const notes: string[] = [];
  const ignored = files.length - images.length;
  if (ignored > 0) notes.push(`${ignored} file(s) that are not images by their name were left out.`);
  const rows: string[] = [];
  const map = new Map<string, SourceFile>();
  const labels = new Map<string, number>();
  const sets = new Map<string, number>();
  let noLabel = 0;
  for (const f of images.sort((a, b) => a.path.localeCompare(b.path))) {
    const parts = f.path.split('/');
    if (parts.length < 2) {
      noLabel++;
      continue;
    }
    // As the SDK and CLI read folders: the top sub-folder is the label, whatever lies deeper. A top folder named
    // after a split (TRAIN/cirrus/a.jpg, the Keras train/ test/ layout) sets the split, the next one the label.
    const set = (parts.length >= 3 && splitName(parts[0])) || '';
    const label = set ? parts[1] : parts[0];
    rows.push(`${set ? `${set},` : ''}${csvField(f.path)},${csvField(label)}`);
    map.set(f.path, f);
    labels.set(label, (labels.get(label) ?? 0) + 1);
    sets.set(set, (sets.get(set) ?? 0) + 1);
  }
  if (noLabel > 0) {
    notes.push(`${noLabel} image(s) outside a label folder were left out (put each image in a folder named after its label).`);
  }
  return {
    layout: 'folders',
    csv: rows.join('\n') + (rows.length ? '\n' : ''),
    files: map,
    rowCount: rows.length,
    labels,
    sets,
    notes,
    unmatched: [],
    totalBytes: [...map.values()].reduce((s, f) => s + f.size, 0),
  };
}

async function planFromCsv(files: SourceFile[], csvFiles: SourceFile[]): Promise<ImportPlan> {
  const csvFile = csvFiles[0];
  const notes: string[] = [];
  if (csvFiles.length > 1) notes.push(`Using ${csvFile.path}; ${csvFiles.length - 1} other CSV file(s) were left out.`);
  const csv = new TextDecoder('utf-8').decode(await csvFile.read());
  const csvDir = csvFile.path.includes('/') ? csvFile.path.slice(0, csvFile.path.lastIndexOf('/')) : '';
  const byPath = new Map(files.map((f) => [normalize(f.path), f]));
  const byName = new Map<string, SourceFile | null>();
  for (const f of files) {
    const n = basename(f.path);
    byName.set(n, byName.has(n) ? null : f); // null: ambiguous
  }
  const map = new Map<string, SourceFile>();
  const labels = new Map<string, number>();
  const sets = new Map<string, number>();
  const unmatched: { line: number; uri: string }[] = [];
  let rowCount = 0;
  const rows = parseCsv(csv);
  rows.forEach((row, index) => {
    const { set, uri, labels: rowLabels } = splitRow(row.fields);
    if (!uri) return;
    const plain = uri.replace(/^file:\/\//, '');
    const found = byPath.get(normalize(csvDir ? `${csvDir}/${plain}` : plain)) ?? byPath.get(normalize(plain))
      ?? byName.get(basename(plain)) ?? undefined;
    if (index === 0 && !found && rowLabels.length > 0 && !IMAGE_EXTENSIONS.test(uri)) return; // a header row
    rowCount++;
    for (const l of rowLabels) labels.set(l, (labels.get(l) ?? 0) + 1);
    sets.set(set ?? '', (sets.get(set ?? '') ?? 0) + 1);
    if (found) map.set(uri, found);
    else unmatched.push({ line: row.line, uri });
  });
  if (unmatched.length > 0) {
    notes.push(`${unmatched.length} row(s) name a file that is not among the chosen files; the server will report them.`);
  }
  const used = new Set(map.values());
  const unused = files.filter((f) => IMAGE_EXTENSIONS.test(f.path) && !used.has(f)).length;
  if (unused > 0) notes.push(`${unused} image(s) not named in ${basename(csvFile.path)} were left out.`);
  return {
    layout: 'csv',
    csv,
    csvName: csvFile.path,
    files: map,
    rowCount,
    labels,
    sets,
    notes,
    unmatched,
    totalBytes: [...used].reduce((s, f) => s + f.size, 0),
  };
}
