import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [join(dir, e.name)] : [],
  );

/** Every source file outside the store: features type against ports, never against the engine. */
const outsideStore = () => files('src').filter((f) => !f.startsWith(join('src', 'store') + '/'));

/** Lines of `outsideStore()` matching `pattern`, as `file:line: text`. */
function matches(pattern: RegExp): string[] {
  return outsideStore().flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
}

describe('the store boundary', () => {
  it('finds the source files it checks (a moved folder must not make it pass vacuously)', () => {
    const checked = outsideStore();
    expect(checked).toEqual(
      expect.arrayContaining([join('src', 'server.ts'), join('src', 'shop', 'build-worker.ts')]),
    );
    expect(checked.some((f) => f.startsWith(join('src', 'store')))).toBe(false);
  });

  it('no code outside src/store names a Sqlite* class', () => {
    expect(matches(/\bSqlite[A-Z]\w*/)).toEqual([]);
  });

  it('no code outside src/store runs SQL', () => {
    const sql =
      /\b(SELECT\s+\S.*\bFROM\b|SELECT\s+1\b|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER)|PRAGMA\s+\w+)/;
    const calls = /\.(prepare|exec|pragma)\(\s*['"`]/;
    expect(matches(sql)).toEqual([]);
    expect(matches(calls)).toEqual([]);
  });

  it('no code outside src/store imports the engine or the store’s insides', () => {
    expect(
      matches(
        /from ['"](better-sqlite3|[./]*\/store\/(database|sqlite|checkpointer|migrate|repositories\/[^'"]+|postgres\/[^'"]+)\.js)['"]/,
      ),
    ).toEqual([]);
  });
});
