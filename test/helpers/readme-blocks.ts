import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The ```sh blocks of the README and of the guide it continues into, as the README test runs
 * them: in order, in one shell, each placeholder line (`APP=app_...   # the id above`) filled
 * from the output of what ran before it. Blocks preceded by `<!-- readme-test: skip (why) -->`
 * are not run.
 */

/** The pages whose blocks run, in the order a reader pastes them (the guide uses the README's variables). */
export const WALKTHROUGH = ['README.md', 'docs/guide.md'];

/** Every Markdown page of the README and docs/ that holds a ```sh block the test would run. */
export function pagesWithShellBlocks(root: string): string[] {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
  return pages.filter((page) => shellBlocks(join(root, page)).length > 0);
}

export interface ReadmeBlock {
  /** The page and 1-based line of the opening fence, for messages (`docs/guide.md:12`). */
  where: string;
  text: string;
}

const SKIP = /^<!-- readme-test: skip\b.*-->$/;

export function shellBlocks(file: string, name = file): ReadmeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```sh') continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    if (end < 0) throw new Error(`${name}:${i + 1}: unclosed sh block`);
    if (!SKIP.test(lines[i - 1]?.trim() ?? '')) blocks.push({ where: `${name}:${i + 1}`, text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

/** `NAME=prefix_...` (optionally followed by a comment): a value the reader copies from the output above. */
export const PLACEHOLDER = /^([A-Z][A-Z0-9_]*)=((?:[a-z]+_)+|eyJ)\.\.\.(\s+#.*)?$/;

/** A step: shell text to run, then the placeholder lines to fill from its output (if any). */
export interface Step {
  block: ReadmeBlock;
  script: string;
  placeholders: { name: string; prefix: string; comment: string }[];
}

export function steps(blocks: ReadmeBlock[]): Step[] {
  const out: Step[] = [];
  for (const block of blocks) {
    let script: string[] = [];
    let placeholders: Step['placeholders'] = [];
    const flush = () => {
      if (script.length || placeholders.length) out.push({ block, script: script.join('\n'), placeholders });
      script = [];
      placeholders = [];
    };
    for (const line of block.text.split('\n')) {
      const match = PLACEHOLDER.exec(line);
      if (match) placeholders.push({ name: match[1], prefix: match[2], comment: match[3] ?? '' });
      else {
        if (placeholders.length) flush();
        script.push(line);
      }
    }
    flush();
  }
  return out;
}

/** The last value in `output` that starts with `prefix` (ids, keys, tokens: at least 16 more characters). */
export function lastValue(output: string, prefix: string): string | undefined {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const matches = output.match(new RegExp(`(?<![A-Za-z0-9_])${escaped}[A-Za-z0-9_.-]{16,}`, 'g'));
  return matches?.at(-1);
}
