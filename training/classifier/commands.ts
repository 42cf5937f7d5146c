import { parseArgs } from 'node:util';
import { initBackend } from '../../src/nets/backend.js';
import { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import type { CliIo, NetCommands } from '../commands.js';
import { readLabelled } from '../data.js';
import { ProgressBar } from '../progress.js';
import { evaluateClassifier, formatEvaluation } from './evaluate.js';
import { defaultClassifierOptions, trainClassifier, versionName } from './train-classifier.js';

const common = {
  data: { type: 'string' },
  'text-col': { type: 'string', default: 'text' },
  'label-col': { type: 'string', default: 'category' },
  backend: { type: 'string', default: 'auto' },
} as const;

/** `train -- classifier` and `evaluate -- classifier`. */
export const classifierCommands: NetCommands = {
  usage: {
    train:
      'train classifier --data FILE(.csv|.jsonl) --out nets/NAME [--text-col text] [--label-col category] [--seed N] [--max-epochs N] [--version V] [--backend auto|wasm|cpu]',
    evaluate:
      'evaluate classifier --net nets/NAME[/VERSION] --data FILE [--text-col text] [--label-col category] [--json] [--backend auto|wasm|cpu]',
  },

  async train(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...common,
        out: { type: 'string' },
        seed: { type: 'string' },
        'max-epochs': { type: 'string' },
        version: { type: 'string' },
      },
      strict: true,
    });
    if (!values.data || !values.out) throw new Error('--data and --out are required');
    const backend = await initBackend(values.backend as 'auto');
    const data = readLabelled(values.data, { textCol: values['text-col'], labelCol: values['label-col'] });
    const o = defaultClassifierOptions();
    const train = { ...o.train };
    if (values.seed !== undefined) train.seed = Number.parseInt(values.seed, 10);
    if (values['max-epochs'] !== undefined) train.maxEpochs = Number.parseInt(values['max-epochs'], 10);
    if (!Number.isInteger(train.seed) || !Number.isInteger(train.maxEpochs) || train.maxEpochs < 1) {
      throw new Error('--seed and --max-epochs take integers');
    }
    const name = values.out.replace(/\/+$/, '').split('/').pop()!;
    io.err.write(
      `training classifier "${name}" on ${data.texts.length} rows (${backend.name} backend, seed ${train.seed})\n`,
    );
    const bar = new ProgressBar(io.err);
    const { net } = trainClassifier({
      ...o,
      train,
      name,
      data,
      dataFile: values.data,
      onStep: (s) => bar.step(s.epoch, train.maxEpochs, s.step, s.steps, s.loss),
      onEpoch: (e) => bar.epoch(e.epoch, e.maxEpochs, e.loss, e.valAccuracy, e.seconds),
    });
    const location = net.save(values.out, values.version ?? versionName(o.now()));
    const m = net.meta.metrics;
    io.out.write(
      `saved ${location.dir} (CURRENT → ${location.version}): validation accuracy ${((m.valAccuracy ?? 0) * 100).toFixed(2)}%, ` +
        `macro-F1 ${((m.valMacroF1 ?? 0) * 100).toFixed(2)}%, temperature ${net.meta.temperature.toFixed(3)}, ` +
        `unsure below ${net.meta.unsureThreshold.toFixed(3)}, ${(m.trainSeconds ?? 0).toFixed(0)} s\n`,
    );
    net.dispose();
    return 0;
  },

  async evaluate(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      options: { ...common, net: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
    });
    if (!values.data || !values.net) throw new Error('--net and --data are required');
    const backend = await initBackend(values.backend as 'auto');
    const net = ClassifierNet.load(values.net);
    const data = readLabelled(values.data, { textCol: values['text-col'], labelCol: values['label-col'] });
    const result = evaluateClassifier(net, data);
    const summary = {
      net: `${net.location!.name}/${net.location!.version}`,
      backend: backend.name,
      ...result,
    };
    if (values.json) io.out.write(`${JSON.stringify(summary)}\n`);
    else io.out.write(formatEvaluation(summary));
    net.dispose();
    return 0;
  },
};
