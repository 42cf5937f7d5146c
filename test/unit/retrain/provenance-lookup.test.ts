import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClassifierNet } from '../../../src/nets/classifier/classifier-net.js';
import type { Provenance } from '../../../src/nets/provenance.js';
import { sha256Files } from '../../../training/classifier/train-classifier.js';
import { provenanceFile } from '../../../training/provenance.js';
import { evaluationFileOf } from '../../../training/retrain/provenance-files.js';
import { readBaseData, regressionFileFor } from '../../../training/retrain/sources.js';
import { tempDir } from '../../helpers/config.js';

const dir = tempDir('neurodesk-provenance-');
const write = (name: string, body: string) => {
  const f = join(dir, name);
  writeFileSync(f, body);
  return f;
};
const testFile = write('held-back.csv', 'text,category\nwhere is my card,card_arrival\n');
const regressionFile = write('regression.csv', 'text,category\nmy pin is blocked,pin_blocked\n');
const trainFile = write('train.csv', 'text,category\nhello,greeting\n');

const provenance = (...files: Provenance['files']): Provenance => ({
  commit: 'abc',
  recipe: 'npm run train',
  files,
});
/** Just what regressionFileFor reads of the version in service. */
const served = (p: Provenance | undefined, recorded?: string) =>
  ({
    meta: { provenance: p, retraining: recorded ? { regressionSet: { file: recorded } } : undefined },
    location: { name: 'n', version: 'v1' },
  }) as unknown as ClassifierNet;
const options = { bot: 'b', dryRun: false, heldOutFraction: 0.2, shuffleLabels: false } as never;

describe("a net's evaluation set from its provenance", () => {
  it('finds the test file a net with provenance names: no --regression flag, no file beside the base data', () => {
    const net = served(
      provenance(provenanceFile('train', trainFile, 1), provenanceFile('test', testFile, 1)),
    );
    expect(regressionFileFor(options, net, '/nowhere/train.csv')).toBe(testFile);
  });

  it('prefers a regression file to a test file, and a flag to both', () => {
    const p = provenance(
      provenanceFile('test', testFile, 1),
      provenanceFile('regression', regressionFile, 1),
    );
    expect(regressionFileFor(options, served(p), '/nowhere/train.csv')).toBe(regressionFile);
    expect(
      regressionFileFor(
        { ...(options as object), regressionFile: '/x.csv' } as never,
        served(p),
        '/nowhere/train.csv',
      ),
    ).toBe('/x.csv');
  });

  it("falls back to the retraining's recorded set for a net without provenance, and says what is missing otherwise", () => {
    expect(regressionFileFor(options, served(undefined, '/recorded.csv'), '/nowhere/train.csv')).toBe(
      '/recorded.csv',
    );
    expect(() => regressionFileFor(options, served(undefined), '/nowhere/train.csv')).toThrow(
      /pass --regression FILE/,
    );
  });

  it('warns when the named file changed or is gone, and skips a missing one', () => {
    const changing = write('changing.csv', 'text,category\na,b\n');
    const p = provenance(provenanceFile('test', changing, 1));
    writeFileSync(changing, 'text,category\na,c\n');
    const warnings: string[] = [];
    expect(evaluationFileOf(p, (l) => warnings.push(l))?.file).toBe(changing);
    expect(warnings[0]).toMatch(/changed since the version in service recorded it/);
    const gone = provenance({ ...provenanceFile('test', testFile, 1), file: join(dir, 'gone.csv') });
    expect(evaluationFileOf(gone, (l) => warnings.push(l))).toBeNull();
    expect(warnings[1]).toMatch(/gone\.csv recorded with the version in service is missing/);
  });
});

describe('a net trained on several files (a bilingual one)', () => {
  const ruTest = write(
    'test-ru.csv',
    'text,category\nгде моя карта,card_arrival\nпин заблокирован,pin_blocked\n',
  );
  const ruTrain = write('train-ru.csv', 'text,category\nпривет,greeting\nздравствуйте,greeting\n');

  it('takes every test file of its provenance as the regression set', () => {
    const net = served(provenance(provenanceFile('test', testFile, 1), provenanceFile('test', ruTest, 2)));
    expect(regressionFileFor(options, net, '/nowhere/train.csv')).toBe(`${testFile},${ruTest}`);
  });

  it('reads a comma list of base files, checked against the hash it recorded', () => {
    const list = `${trainFile},${ruTrain}`;
    const net = {
      meta: { trainingData: { file: list, sha256: sha256Files(list), rows: 3 } },
      location: { name: 'n', version: 'v1' },
    } as unknown as ClassifierNet;
    const base = readBaseData(options, net);
    expect(base.files).toEqual([trainFile, ruTrain]);
    expect(base.rows).toEqual([1, 2]);
    expect(base.data.texts).toEqual(['hello', 'привет', 'здравствуйте']);
    writeFileSync(ruTrain, 'text,category\nпривет,greeting\n');
    expect(() => readBaseData(options, net)).toThrow(/changed since n\/v1 was trained/);
  });
});
