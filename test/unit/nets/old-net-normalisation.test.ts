import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.js';
import { ClassifierNet } from '../../../src/nets/classifier/classifier-net.js';
import { Vectoriser } from '../../../src/nets/vectoriser.js';

/**
 * Nets made before text normalisation was recorded (no `normalisation` in their vectoriser
 * settings) keep their exact outputs: the first committed classifier gives, to the last digit,
 * what it gave before `src/nets/text-normalise.ts` existed (values measured with that code).
 */
const OLD = 'nets/bank-classifier/20261128-153400';
const before: Array<[string, string, number]> = [
  ['I lost my card', 'lost_or_stolen_card', 0.9956988096237183],
  ['rfhnf yt ghbikf', 'unable_to_verify_identity', 0.026543810963630676],
  ['privet, gde moya karta', 'request_refund', 0.044422805309295654],
  ['Мою карту украли, заблокируйте её срочно', 'declined_transfer', 0.04109055548906326],
  ['How do I top up with Apple Pay?', 'apple_pay_or_google_pay', 0.9999796748161316],
];

describe('a net made before normalisation was recorded', () => {
  let net: ClassifierNet;
  beforeAll(async () => {
    await initBackend('wasm');
    net = ClassifierNet.load(OLD);
  });

  it('has no normalisation setting and sees text as before (no layout repair)', () => {
    expect(net.meta.vectoriser.normalisation).toBeUndefined();
    expect(net.vectoriser.normalise('rfhnf yt ghbikf')).toBe('rfhnf yt ghbikf');
  });

  it('gives the same predictions and confidences as before', () => {
    for (const [text, category, confidence] of before) {
      const p = net.predict(text);
      expect(p.category, text).toBe(category);
      expect(p.confidence, text).toBeCloseTo(confidence, 6);
    }
  });

  it('a vectoriser with normalisation 2 repairs the layout before hashing', () => {
    const v2 = new Vectoriser({ ...net.meta.vectoriser, normalisation: 2 });
    expect(v2.normalise('rfhnf yt ghbikf')).toBe('карта не пришла');
    expect(v2.featurize('rfhnf yt ghbikf').sequence).toEqual(v2.featurize('карта не пришла').sequence);
    expect(v2.featurize('rfhnf yt ghbikf').sequence).not.toEqual(
      net.vectoriser.featurize('rfhnf yt ghbikf').sequence,
    );
  });
});
