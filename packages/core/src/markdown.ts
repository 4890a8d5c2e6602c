// A small GitHub-flavoured markdown builder for job summaries and PR comments. Reports quote untrusted text (column
// names, file paths, error messages from jobs), so every helper that takes *text* escapes it; only `raw()` and the
// `body` of `details()` take markdown as it is.

/** Markdown that is inserted as it is, where a helper would otherwise escape text. */
export class RawMarkdown {
  constructor(readonly markdown: string) {}
  toString(): string {
    return this.markdown;
  }
}

/** Marks trusted markdown (output of the other helpers) so tables and paragraphs keep it unescaped. */
export function raw(markdown: string): RawMarkdown {
  return new RawMarkdown(markdown);
}

export type Text = string | RawMarkdown;
export type Cell = string | number | boolean | bigint | null | undefined | RawMarkdown;
export type Align = 'left' | 'center' | 'right' | undefined;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** For text inside HTML (e.g. `<summary>`), where markdown backslash escapes would show literally. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c] ?? c);
}

// `<`, `>` and `&` become entities: a backslash does not stop GitHub's HTML-block detection in every position, an
// entity does. The rest get a backslash, which CommonMark honours before any ASCII punctuation.
// A zero-width space after `@` keeps an untrusted `@org/team` from pinging anyone from a PR comment.
function escapeInline(text: string): string {
  return text.replace(/[\\`*_[\]#~|<>&]/g, (c) => HTML_ESCAPES[c] ?? `\\${c}`).replace(/@(?=[\w-])/g, '@\u200B');
}

/**
 * Makes untrusted text inert in markdown: emphasis, links, images, inline HTML, code spans and table pipes render
 * literally. Line breaks are kept; characters that would start a block (`-`, `+`, `=`, `1.`) at the start of a line
 * are escaped so a line cannot turn into a list or a heading underline.
 */
export function escapeMarkdown(text: string): string {
  return escapeInline(text).replace(
    /(^|\n)([ \t]*)([-+=]|\d{1,9}[.)])/g,
    (_m, start: string, indent: string, marker: string) =>
      `${start}${indent}${marker.replace(/^(\d*)([-+=.)])$/, '$1\\$2')}`,
  );
}

/** Untrusted text for a table cell: escaped, and line breaks become `<br>` so the row stays on one line. */
export function escapeCell(text: string): string {
  return escapeInline(text).replace(/\r\n|\r|\n/g, '<br>');
}

/** Escapes every `|` not already escaped, so raw markdown (code spans, links) cannot split a table cell. */
function protectPipes(markdown: string): string {
  let out = '';
  let backslashes = 0;
  for (const c of markdown) {
    if (c === '|' && backslashes % 2 === 0) out += '\\';
    out += c;
    backslashes = c === '\\' ? backslashes + 1 : 0;
  }
  return out;
}

function cellText(cell: Cell): string {
  if (cell instanceof RawMarkdown) return protectPipes(cell.markdown.replace(/\r\n|\r|\n/g, '<br>'));
  if (cell === null || cell === undefined) return '';
  return escapeCell(String(cell));
}

function inlineText(text: Text): string {
  if (text instanceof RawMarkdown) return text.markdown.replace(/\s*[\r\n]+\s*/g, ' ');
  return escapeInline(text.replace(/\s*[\r\n]+\s*/g, ' '));
}

/** A GFM table. Plain-string cells are escaped; wrap markdown in `raw()`. Short rows are padded with empty cells. */
export function table(
  headers: readonly Text[],
  rows: readonly (readonly Cell[])[],
  options: { align?: readonly Align[] } = {},
): string {
  if (headers.length === 0) throw new Error('a table needs at least one column');
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const rule = headers.map((_, i) => {
    switch (options.align?.[i]) {
      case 'left':
        return ':---';
      case 'center':
        return ':---:';
      case 'right':
        return '---:';
      default:
        return '---';
    }
  });
  const out = [line(headers.map((h) => cellText(h))), line(rule)];
  for (const [index, row] of rows.entries()) {
    if (row.length > headers.length) {
      throw new Error(`table row ${index + 1} has ${row.length} cells for ${headers.length} columns`);
    }
    out.push(line(headers.map((_, i) => cellText(row[i]))));
  }
  return out.join('\n');
}

/** A collapsible section. `summary` is text (escaped); `body` is markdown. */
export function details(summary: Text, body: string, options: { open?: boolean } = {}): string {
  const summaryHtml = summary instanceof RawMarkdown ? summary.markdown : escapeHtml(summary);
  // The blank lines let GitHub render the body as markdown rather than as part of the HTML block.
  return `<details${options.open ? ' open' : ''}>\n<summary>${summaryHtml.replace(/[\r\n]+/g, ' ')}</summary>\n\n${body.trim()}\n\n</details>`;
}

export function heading(text: Text, level: 1 | 2 | 3 | 4 | 5 | 6 = 2): string {
  const depth = Math.min(6, Math.max(1, Math.trunc(level)));
  return `${'#'.repeat(depth)} ${inlineText(text)}`;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    if (current > longest) longest = current;
  }
  return longest;
}

/** A fenced code block; the fence is longer than any backtick run in `text`, so the text cannot close it. */
export function code(text: string, lang = ''): string {
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  // A backtick fence's info string may not contain backticks; keep it to a language-name alphabet.
  const info = lang.replace(/[^\w+#.-]/g, '');
  const body = text.replace(/\r\n?/g, '\n');
  return `${fence}${info}\n${body}${body.endsWith('\n') || body === '' ? '' : '\n'}${fence}`;
}

/** An inline code span on one line. */
export function inlineCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const ticks = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || /^ .* $/.test(flat) ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

export function bold(text: Text): string {
  return `**${inlineText(text)}**`;
}

/** A link when `url` is http(s); any other scheme (javascript:, data:, relative) renders just the escaped text. */
export function link(text: Text, url: string): string {
  const label = inlineText(text);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return label;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return label;
  // Encode what could end the destination or be read as an escape; URL.href already encodes spaces and quotes.
  const href = parsed.href.replace(
    /[()\\<> `]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `[${label}](${href})`;
}

export function statusIcon(passed: boolean | null | undefined): string {
  if (passed === true) return '✅';
  if (passed === false) return '❌';
  return '➖';
}

export function list(items: readonly Text[], options: { ordered?: boolean } = {}): string {
  return items.map((item, i) => `${options.ordered ? `${i + 1}.` : '-'} ${inlineText(item)}`).join('\n');
}

/** A paragraph of text (escaped unless `raw()`). */
export function paragraph(text: Text): string {
  return text instanceof RawMarkdown ? text.markdown : escapeMarkdown(text);
}

// Mermaid strings are double-quoted and single-line with no escape for `"`; a leading backtick would make a markdown
// string, `%%` starts a comment or an init directive, and `#name;` is an entity code. Those become look-alikes, and
// `<`/`>` too, since some renderers read labels as HTML.
function mermaidString(text: string): string {
  const clean = text
    .replace(/[\r\n\t]+/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/"/g, "'")
    .replace(/`/g, "'")
    .replace(/%{2,}/g, '%')
    .replace(/#(?=#?\w+;)/g, '♯')
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .trim();
  return `"${clean || ' '}"`;
}

// Mermaid's number grammar has no exponent; non-finite values have no bar to draw and are shown as 0.
function mermaidNumber(value: number): string {
  if (!Number.isFinite(value)) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const fixed = value.toFixed(Math.min(20, Math.max(0, 6 - Math.floor(Math.log10(Math.abs(value) || 1)))));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function mermaidBlock(lines: string[]): string {
  return code(lines.join('\n'), 'mermaid');
}

export interface BarChartOptions {
  title: string;
  labels: readonly string[];
  values: readonly number[];
  xLabel?: string;
  yLabel?: string;
  /** Fixes the y axis instead of letting Mermaid fit it to the data. */
  yRange?: readonly [number, number];
}

/** A bar chart (Mermaid `xychart-beta`). Non-finite values are drawn as 0. */
export function mermaidBarChart(options: BarChartOptions): string {
  const { labels, values } = options;
  if (labels.length !== values.length) {
    throw new Error(`bar chart has ${labels.length} labels for ${values.length} values`);
  }
  const xAxis = `x-axis ${options.xLabel ? `${mermaidString(options.xLabel)} ` : ''}[${labels.map(mermaidString).join(', ')}]`;
  const range = options.yRange ? ` ${mermaidNumber(options.yRange[0])} --> ${mermaidNumber(options.yRange[1])}` : '';
  const yAxis =
    options.yLabel || range ? `y-axis${options.yLabel ? ` ${mermaidString(options.yLabel)}` : ''}${range}` : '';
  return mermaidBlock([
    'xychart-beta',
    `  title ${mermaidString(options.title)}`,
    `  ${xAxis}`,
    ...(yAxis ? [`  ${yAxis}`] : []),
    `  bar [${values.map(mermaidNumber).join(', ')}]`,
  ]);
}

export interface PieChartOptions {
  title: string;
  labels: readonly string[];
  values: readonly number[];
  /** Prints each slice's value next to its label. */
  showData?: boolean;
}

/** A pie chart (Mermaid `pie`). Slices that are negative or not finite cannot be drawn and are left out. */
export function mermaidPie(options: PieChartOptions): string {
  const { labels, values } = options;
  if (labels.length !== values.length) {
    throw new Error(`pie chart has ${labels.length} labels for ${values.length} values`);
  }
  const slices = labels.flatMap((label, i) => {
    const value = values[i] ?? Number.NaN;
    return Number.isFinite(value) && value >= 0 ? [`  ${mermaidString(label)} : ${mermaidNumber(value)}`] : [];
  });
  // The pie title runs to the end of the line unquoted, so it only needs to stay on that line.
  const title = mermaidString(options.title).slice(1, -1);
  return mermaidBlock([`pie${options.showData ? ' showData' : ''}`, `  title ${title}`, ...slices]);
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const DETAILS_OPEN = /<details(?:\s[^>]*)?>/gi;
const DETAILS_CLOSE = /<\/details\s*>/gi;

interface BlockState {
  fence?: { char: string; length: number; mermaid: boolean };
  details: number;
}

function advance(state: BlockState, line: string): BlockState {
  if (state.fence) {
    const { char, length } = state.fence;
    const close = new RegExp(`^ {0,3}${char === '`' ? '`' : '~'}{${length},}[ \\t]*\\r?$`);
    return close.test(line) ? { details: state.details } : state;
  }
  const open = FENCE_OPEN.exec(line);
  if (open && !(open[1]?.startsWith('`') && open[2]?.includes('`'))) {
    const marker = open[1] ?? '```';
    return {
      details: state.details,
      fence: { char: marker[0] ?? '`', length: marker.length, mermaid: /^\s*mermaid\b/i.test(open[2] ?? '') },
    };
  }
  const opened = line.match(DETAILS_OPEN)?.length ?? 0;
  const closed = line.match(DETAILS_CLOSE)?.length ?? 0;
  return { details: Math.max(0, state.details + opened - closed) };
}

function closers(state: BlockState): string {
  let out = state.fence ? `\n${state.fence.char.repeat(state.fence.length)}` : '';
  // A blank line first: `</details>` must not be read as a continuation of a table or paragraph.
  for (let i = 0; i < state.details; i++) out += '\n\n</details>';
  return out;
}

/** Cuts at a code point, never between the halves of a surrogate pair, nor after a lone backslash or a partial entity. */
function cutLine(line: string, max: number): string {
  let end = Math.max(0, max);
  const code = line.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end--;
  let head = line.slice(0, end);
  head = head.replace(/&[#\w]{0,10}$/, '').replace(/(^|[^\\])(\\\\)*\\$/, '$1$2');
  return head;
}

/**
 * Shortens markdown to at most `maxChars` (UTF-16 code units, i.e. JS string length): cuts at a line boundary, closes a
 * code fence or `<details>` left open by the cut, and appends `note`. A Mermaid block is never cut in half (a partial
 * chart does not render); the cut moves before it. Text already short enough is returned unchanged.
 */
export function truncateMarkdown(text: string, maxChars: number, note: string): string {
  if (text.length <= maxChars) return text;
  const tail = note ? `\n\n${note}` : '';
  if (tail.length >= maxChars) return cutLine(note, maxChars);

  const lines = text.split('\n');
  let best: { state: BlockState; lines: number } = { state: { details: 0 }, lines: 0 };
  let state: BlockState = { details: 0 };
  let length = 0; // of lines[0..i) joined with '\n'
  for (let i = 0; i <= lines.length; i++) {
    if (i > 0) {
      if (length + closers(state).length + tail.length > maxChars) break;
      if (!state.fence?.mermaid) best = { state, lines: i };
    }
    if (i === lines.length) break;
    const line = lines[i] ?? '';
    length += (i > 0 ? 1 : 0) + line.length;
    state = advance(state, line);
  }

  let head = lines.slice(0, best.lines).join('\n');
  // When whole lines leave most of the budget unused (one very long line), fill it from the next plain line.
  const next = lines[best.lines];
  const room = maxChars - head.length - closers(best.state).length - tail.length - (best.lines > 0 ? 1 : 0) - 1;
  if (next !== undefined && room > maxChars / 2 && !best.state.fence?.mermaid) {
    const after = advance(best.state, next);
    const structural = after.fence !== best.state.fence || after.details !== best.state.details;
    if (!structural) {
      const piece = cutLine(next, room);
      if (piece.length > 0) head = `${head}${best.lines > 0 ? '\n' : ''}${piece}…`;
    }
  }
  return `${head}${closers(best.state)}${tail}`.replace(/^\n+/, '');
}

/** Composes a report block by block; `toString()` joins the blocks with blank lines. */
export class Markdown {
  private readonly blocks: string[] = [];

  /** Appends markdown as it is (e.g. another builder's output). */
  raw(markdown: string | Markdown): this {
    // Only blank lines are trimmed at the start: leading spaces may be an indented code block.
    const text = markdown
      .toString()
      .replace(/^(?:[ \t]*\r?\n)+/, '')
      .trimEnd();
    if (text) this.blocks.push(text);
    return this;
  }

  heading(text: Text, level: 1 | 2 | 3 | 4 | 5 | 6 = 2): this {
    return this.raw(heading(text, level));
  }

  paragraph(text: Text): this {
    return this.raw(paragraph(text));
  }

  table(
    headers: readonly Text[],
    rows: readonly (readonly Cell[])[],
    options: { align?: readonly Align[] } = {},
  ): this {
    return this.raw(table(headers, rows, options));
  }

  details(summary: Text, body: string | Markdown, options: { open?: boolean } = {}): this {
    return this.raw(details(summary, body.toString(), options));
  }

  code(text: string, lang = ''): this {
    return this.raw(code(text, lang));
  }

  list(items: readonly Text[], options: { ordered?: boolean } = {}): this {
    return items.length ? this.raw(list(items, options)) : this;
  }

  barChart(options: BarChartOptions): this {
    return this.raw(mermaidBarChart(options));
  }

  pie(options: PieChartOptions): this {
    return this.raw(mermaidPie(options));
  }

  get isEmpty(): boolean {
    return this.blocks.length === 0;
  }

  toString(): string {
    return this.blocks.length ? `${this.blocks.join('\n\n')}\n` : '';
  }
}
