// CSV as the server reads it (RFC 4180: quotes, embedded commas and line breaks, CRLF, a UTF-8 BOM).

export interface CsvRow {
  /** 1-based line of the row's start in the file, as the server numbers rows. */
  line: number;
  fields: string[];
}

export function parseCsv(text: string): CsvRow[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.some((f) => f.trim() !== '')) rows.push({ line: rowLine, fields });
      fields = [];
      field = '';
      fieldStarted = false;
      line++;
      rowLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  fields.push(field);
  if (fields.some((f) => f.trim() !== '')) rows.push({ line: rowLine, fields });
  return rows;
}

export function csvField(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export const SETS = ['TRAIN', 'VALIDATION', 'TEST', 'UNASSIGNED'];

/** A first CSV field, or a folder name, that names a split -> the split (as the SDK reads them), else undefined. */
export function splitName(s: string): string | undefined {
  const u = s.trim().toUpperCase();
  return ({ TRAIN: 'TRAIN', TRAINING: 'TRAIN', VALIDATION: 'VALIDATION', VALIDATE: 'VALIDATION', VAL: 'VALIDATION',
    TEST: 'TEST', UNASSIGNED: 'UNASSIGNED' } as Record<string, string>)[u];
}

/** The parts of a `[ML_USE,]URI,LABEL[,LABEL...]` row. */
export function splitRow(fields: string[]): { set?: string; uri: string; labels: string[] } {
  const first = fields[0]?.trim() ?? '';
  const set = first.toUpperCase() === 'VAL' ? undefined : splitName(first);
  if (set) {
    return { set, uri: fields[1]?.trim() ?? '', labels: fields.slice(2).map((l) => l.trim()).filter(Boolean) };
  }
  return { uri: first, labels: fields.slice(1).map((l) => l.trim()).filter(Boolean) };
}
