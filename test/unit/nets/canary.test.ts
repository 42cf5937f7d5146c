import { describe, expect, it } from 'vitest';
import { chooseCanary } from '../../../training/classifier/canary.js';

// Four labels; each text is right with the margin given by its probability row.
const labelNames = ['a', 'b', 'c', 'd'];
function rows(margins: number[], labels: number[]): Float32Array {
  const probs = new Float32Array(margins.length * 4);
  margins.forEach((m, i) => {
    probs.fill((1 - m) / 4, i * 4, i * 4 + 4);
    probs[i * 4 + labels[i]!] = (1 - m) / 4 + m;
  });
  return probs;
}

describe('the canary of a new net', () => {
  it('takes the widest margins, one per label, when the texts are in one script', () => {
    const texts = ['lost card', 'refund please', 'where is it', 'reset password'];
    const labels = Int32Array.from([0, 1, 2, 3]);
    const canary = chooseCanary(texts, labels, rows([0.9, 0.5, 0.8, 0.7], [0, 1, 2, 3]), labelNames, 3);
    expect(canary.map((g) => g.text)).toEqual(['lost card', 'where is it', 'reset password']);
  });

  it('alternates between Latin and Cyrillic texts of a bilingual net', () => {
    const texts = ['lost card', 'refund please', 'where is it', 'потерял карту', 'верните деньги'];
    const labels = Int32Array.from([0, 1, 2, 0, 3]);
    const canary = chooseCanary(
      texts,
      labels,
      rows([0.9, 0.8, 0.7, 0.5, 0.4], [0, 1, 2, 0, 3]),
      labelNames,
      4,
    );
    // English has the widest margins, yet the Russian text of a label not yet taken gets in.
    expect(canary.map((g) => g.text)).toEqual([
      'lost card',
      'верните деньги',
      'refund please',
      'where is it',
    ]);
  });
});
