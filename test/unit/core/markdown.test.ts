import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  Markdown,
  code,
  details,
  escapeCell,
  escapeMarkdown,
  heading,
  inlineCode,
  link,
  mermaidBarChart,
  mermaidPie,
  raw,
  statusIcon,
  table,
  truncateMarkdown,
} from '../../../packages/core/src/markdown.js';

/** A `|` counts as escaped when an odd number of backslashes precede it. */
function hasUnescapedPipe(text: string): boolean {
  return /(^|[^\\])(\\\\)*\|/.test(text);
}

/** Fence and <details> balance, as GitHub would parse them line by line. */
function openConstructs(markdown: string): { fence: boolean; details: number } {
  let fence: string | undefined;
  let depth = 0;
  for (const line of markdown.split('\n')) {
    if (fence) {
      if (new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(line)) fence = undefined;
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    // A backtick fence's info string cannot hold a backtick (CommonMark), so such a line is no fence.
    if (open && !(open[1]?.startsWith('`') && open[2]?.includes('`'))) {
      fence = open[1];
      continue;
    }
    const opened = line.match(/<details(\s[^>]*)?>/gi)?.length ?? 0;
    depth = Math.max(0, depth + opened - (line.match(/<\/details\s*>/gi)?.length ?? 0));
  }
  return { fence: fence !== undefined, details: depth };
}

describe('escapeMarkdown', () => {
  it('renders an HTML payload as literal text', () => {
    const out = escapeMarkdown('<img src=x onerror=alert(1)>');
    assert.equal(out, '&lt;img src=x onerror=alert(1)&gt;');
    assert.ok(!out.includes('<'));
  });

  it('escapes emphasis, links, code spans, headings and entities', () => {
    assert.equal(
      escapeMarkdown('*a* _b_ [c](d) `e` # f ~g~ &amp;'),
      '\\*a\\* \\_b\\_ \\[c\\](d) \\`e\\` \\# f \\~g\\~ &amp;amp;',
    );
    assert.equal(escapeMarkdown('C:\\path'), 'C:\\\\path');
  });

  it('keeps lines from becoming lists, quotes or setext headings', () => {
    assert.equal(
      escapeMarkdown('- item\n+ item\n1. item\n> quote\n==='),
      '\\- item\n\\+ item\n1\\. item\n&gt; quote\n\\===',
    );
    assert.equal(escapeMarkdown('a - b'), 'a - b');
  });
});

describe('escapeCell', () => {
  it('keeps a pipe from splitting the row and newlines from ending it', () => {
    assert.equal(escapeCell('a|b\nc\r\nd'), 'a\\|b<br>c<br>d');
  });

  it('escapes a backslash before a pipe so the pipe stays escaped', () => {
    const out = escapeCell('a\\|b');
    assert.equal(out, 'a\\\\\\|b');
    assert.ok(!hasUnescapedPipe(out));
  });

  it('never leaves an unescaped pipe or a line break (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const out = escapeCell(text);
        return !hasUnescapedPipe(out) && !/[\r\n]/.test(out) && !/[<>]/.test(out.replace(/<br>/g, ''));
      }),
      { numRuns: 500 },
    );
  });
});

describe('table', () => {
  it('escapes cells, pads short rows and aligns columns', () => {
    const out = table(
      ['name', 'value', 'ok'],
      [
        ['a|b', 1.5, true],
        ['<script>', null],
      ],
      { align: ['left', 'right', 'center'] },
    );
    assert.equal(
      out,
      ['| name | value | ok |', '| :--- | ---: | :---: |', '| a\\|b | 1.5 | true |', '| &lt;script&gt; |  |  |'].join(
        '\n',
      ),
    );
  });

  it('inserts raw markdown unescaped but still protects the row', () => {
    const out = table(['cell'], [[raw(`${statusIcon(true)} ${inlineCode('a|b')}`)], [raw(link('x', 'https://e.com'))]]);
    assert.match(out, /\| ✅ `a\\\|b` \|/);
    assert.match(out, /\| \[x\]\(https:\/\/e\.com\/\) \|/);
  });

  it('refuses a row longer than the header', () => {
    assert.throws(() => table(['a'], [['1', '2']]), /row 1 has 2 cells for 1 columns/);
  });
});

describe('blocks', () => {
  it('details: escaped summary, markdown body separated by blank lines', () => {
    assert.equal(
      details('<b>x</b>', '**body**', { open: true }),
      '<details open>\n<summary>&lt;b&gt;x&lt;/b&gt;</summary>\n\n**body**\n\n</details>',
    );
    assert.match(details('s', 'b'), /^<details>\n/);
  });

  it('code: the fence is longer than any backtick run inside', () => {
    assert.equal(code('a', 'python'), '```python\na\n```');
    assert.equal(code('x ```` y'), '`````\nx ```` y\n`````');
    assert.equal(code('```\n'), '````\n```\n````');
    assert.equal(code('a', 'js` onload'), '```jsonload\na\n```');
  });

  it('inline code pads backticks at its edges', () => {
    assert.equal(inlineCode('a`b'), '``a`b``');
    assert.equal(inlineCode('`x'), '`` `x ``');
  });

  it('heading clamps the level and keeps the text on one line', () => {
    assert.equal(heading('Drift *report*\nnext', 3), '### Drift \\*report\\* next');
  });

  it('link: only http(s) destinations; others become text', () => {
    assert.equal(link('run', 'https://github.com/o/r/actions/runs/1'), '[run](https://github.com/o/r/actions/runs/1)');
    assert.equal(link('x', 'javascript:alert(1)'), 'x');
    assert.equal(link('x', 'data:text/html,<b>'), 'x');
    assert.equal(link('x', 'not a url'), 'x');
    assert.equal(link('a]b', 'https://e.com/p(1)'), '[a\\]b](https://e.com/p%281%29)');
  });

  it('statusIcon', () => {
    assert.deepEqual([statusIcon(true), statusIcon(false), statusIcon(undefined)], ['✅', '❌', '➖']);
  });
});

describe('mermaid', () => {
  it('bar chart: xychart-beta with quoted, sanitised labels', () => {
    const out = mermaidBarChart({
      title: 'PSI "per" feature',
      labels: ['age', 'a"b', '%%{init}%%', '`md`', 'x<y>'],
      values: [0.25, 1e-7, 3, Number.NaN, -2],
      xLabel: 'feature',
      yLabel: 'PSI',
    });
    assert.equal(
      out,
      [
        '```mermaid',
        'xychart-beta',
        `  title "PSI 'per' feature"`,
        `  x-axis "feature" ["age", "a'b", "%{init}%", "'md'", "x‹y›"]`,
        '  y-axis "PSI"',
        '  bar [0.25, 0.0000001, 3, 0, -2]',
        '```',
      ].join('\n'),
    );
  });

  it('bar chart: a y range without a label, mismatched lengths refused', () => {
    assert.match(mermaidBarChart({ title: 't', labels: ['a'], values: [1], yRange: [0, 1] }), /\n {2}y-axis 0 --> 1\n/);
    assert.throws(() => mermaidBarChart({ title: 't', labels: ['a'], values: [] }), /1 labels for 0 values/);
  });

  it('pie: drops slices that cannot be drawn', () => {
    assert.equal(
      mermaidPie({
        title: 'Rows\nby %% split',
        labels: ['train', 'test', 'bad'],
        values: [80, 20, -1],
        showData: true,
      }),
      ['```mermaid', 'pie showData', '  title Rows by % split', '  "train" : 80', '  "test" : 20', '```'].join('\n'),
    );
  });
});

describe('Markdown builder', () => {
  it('composes blocks separated by blank lines', () => {
    const inner = new Markdown().paragraph('inner *text*');
    const out = new Markdown()
      .heading('Report')
      .paragraph('a <b>')
      .table(['k'], [['v']])
      .details('more', inner)
      .list(['x', raw('**y**')])
      .raw('    indented code')
      .toString();
    assert.equal(
      out,
      '## Report\n\na &lt;b&gt;\n\n| k |\n| --- |\n| v |\n\n<details>\n<summary>more</summary>\n\ninner \\*text\\*\n\n</details>\n\n- x\n- **y**\n\n    indented code\n',
    );
    assert.equal(new Markdown().toString(), '');
  });
});

describe('truncateMarkdown', () => {
  const note = '_truncated_';

  it('returns short text unchanged', () => {
    assert.equal(truncateMarkdown('abc', 3, note), 'abc');
  });

  it('cuts at a line boundary and appends the note', () => {
    const text = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
    const out = truncateMarkdown(text, 60, note);
    assert.ok(out.length <= 60);
    assert.match(out, /^line 0\nline 1\n/);
    assert.match(out, /line \d+\n\n_truncated_$/);
  });

  it('closes a code fence it cuts through', () => {
    const text = `intro\n${code(Array.from({ length: 100 }, (_, i) => `log ${i}`).join('\n'), 'text')}\nafter`;
    const out = truncateMarkdown(text, 200, note);
    assert.ok(out.length <= 200);
    assert.deepEqual(openConstructs(out), { fence: false, details: 0 });
    assert.match(out, /log \d+\n```\n\n_truncated_$/);
  });

  it('closes nested <details> it cuts through', () => {
    const body = Array.from({ length: 100 }, (_, i) => `- item ${i}`).join('\n');
    const text = details('outer', `text\n\n${details('inner', body)}`);
    const out = truncateMarkdown(text, 300, note);
    assert.ok(out.length <= 300);
    assert.deepEqual(openConstructs(out), { fence: false, details: 0 });
    assert.match(out, /\n\n<\/details>\n\n<\/details>\n\n_truncated_$/);
  });

  it('moves the cut before a Mermaid block rather than break the chart', () => {
    const chart = mermaidBarChart({ title: 't', labels: ['a', 'b'], values: [1, 2] });
    const text = `head\n\n${chart}\n\ntail`;
    const out = truncateMarkdown(text, text.length - 3, note);
    assert.equal(out, `head\n\n\n${note}`);
  });

  it('fills the budget from a single very long line', () => {
    const out = truncateMarkdown('x'.repeat(10_000), 1_000, note);
    assert.ok(out.length <= 1_000 && out.length > 900);
    assert.match(out, /^x+…\n\n_truncated_$/);
  });

  it('does not split a surrogate pair or leave a dangling escape', () => {
    const out = truncateMarkdown(`${'😀'.repeat(1_000)}`, 101, '');
    assert.ok(!/[\ud800-\udbff]…/.test(out));
    assert.equal(truncateMarkdown(`${'a'.repeat(98)}\\*${'b'.repeat(500)}`, 101, '').endsWith('\\…'), false);
  });

  it('never exceeds maxChars and leaves no fence or <details> open (property)', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('```', '```python', '````', '~~~', '<details>', '</details>', '<details open>', '', '| a | b |'),
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 80 }),
        fc.integer({ min: 0, max: 400 }),
        fc.string({ maxLength: 30 }),
        (lines, max, extra) => {
          const text = lines.join('\n');
          const out = truncateMarkdown(text, max, extra);
          if (text.length <= max) return out === text;
          if (out.length > max) return false;
          if (extra.length + 2 >= max) return true; // only (part of) the note fits
          const head = out.slice(0, out.length - extra.length);
          const open = openConstructs(head);
          return out.endsWith(extra) && !open.fence && open.details === 0;
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('mentions in untrusted text', () => {
  it('cannot ping a user or team', () => {
    assert.equal(escapeMarkdown('@octo-org/ml-team'), '@\u200Bocto-org/ml-team');
    assert.equal(escapeCell('owner @bob'), 'owner @\u200Bbob');
    assert.equal(escapeMarkdown('a @ b'), 'a @ b');
  });
});
