import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.js';
import { ClassifierNet } from '../../../src/nets/classifier/classifier-net.js';
import { readLabelled } from '../../../training/data.js';

/**
 * The committed default classifier understands Russian as customers write it: real-looking
 * messages (no capitals, typos, the wrong keyboard layout, Latin letters) get the category an
 * operator would pick, with a confidence that routes them; and a fixed sample of the Russian
 * BANKING77 test set (4 per intent, `test/fixtures/banking77-ru-sample.csv`) is classified well.
 */
let net: ClassifierNet;
beforeAll(async () => {
  await initBackend('wasm');
  net = ClassifierNet.load('nets/bank-classifier');
});

describe('the committed bank classifier in Russian', () => {
  it('is bilingual and records its data with licences', () => {
    expect(net.meta.vectoriser.normalisation).toBe(2);
    const files = net.meta.provenance!.files;
    const tests = files.filter((f) => f.role === 'test').map((f) => f.file);
    expect(tests).toEqual(['training/data/banking77/test.csv', 'training/data/banking77-ru/test.csv']);
    const ru = files.find((f) => f.role === 'train' && f.file.includes('banking77-ru'))!;
    expect(ru.licence).toMatch(/CC BY 4\.0.*PolyAI.*AutoIntent-experiments/);
  });

  it.each([
    ['Мою карту украли, заблокируйте её срочно', 'lost_or_stolen_card'],
    ['где моя карта? заказал две недели назад', 'card_arrival'],
    ['мне отказали в снятии наличных в банкомате', 'declined_cash_withdrawal'],
    ['с меня два раза списали за одну покупку', 'transaction_charged_twice'],
    ['хочу закрыть счет', 'terminate_account'],
    ['как поменять пин-код?', 'change_pin'],
  ])('%s → %s', (text, category) => {
    const p = net.predict(text);
    expect(p.category).toBe(category);
    expect(p.confidence).toBeGreaterThan(0.3);
  });

  it('reads a message typed in the wrong layout and one in Latin letters', () => {
    // "мою карту украли, заблокируйте ее" typed on the English layout.
    const layout = net.predict('vj. rfhne erhfkb pf,kjrbheqnt tt');
    expect(layout.category).toBe('lost_or_stolen_card');
    expect(layout.confidence).toBeGreaterThan(0.5);
    const translit = net.predict('privet, gde moya karta? zakazal 2 nedeli nazad');
    expect(translit.category).toBe('card_arrival');
    expect(translit.confidence).toBeGreaterThan(0.5);
  });

  it('classifies a fixed sample of the Russian test set at least 85 % right', () => {
    const sample = readLabelled('test/fixtures/banking77-ru-sample.csv', {
      textCol: 'text',
      labelCol: 'category',
    });
    expect(sample.texts).toHaveLength(308);
    const predicted = net.predictBatch(sample.texts);
    const right = predicted.filter((p, i) => p.category === sample.labels[i]).length;
    expect(right / sample.texts.length).toBeGreaterThanOrEqual(0.85);
  });
});
