import { parseArgs } from 'node:util';
import { initBackend } from '../../src/nets/backend.js';
import { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import type { CliIo, NetCommands } from '../commands.js';
import { dataFileList, readLabelledFiles } from '../data.js';
import { ProgressBar } from '../progress.js';
import { evaluateByLanguage, formatEvaluation } from './evaluate.js';
import { trainFromFiles } from './recipe.js';
import { versionName } from './train-classifier.js';

const common = {
  data: { type: 'string', multiple: true },
  'text-col': { type: 'string', default: 'text' },
  'label-col': { type: 'string', default: 'category' },
  backend: { type: 'string', default: 'auto' },
} as const;

/** `train -- classifier` and `evaluate -- classifier`. */
export const classifierCommands: NetCommands = {
  usage: {
    train:
      'train classifier --data FILE(.csv|.jsonl)[,FILE...] --out nets/NAME [--test FILE[,FILE...]] [--text-col text] [--label-col category] [--seed N] [--max-epochs N] [--no-augment] [--version V] [--backend auto|wasm|cpu]',
    evaluate:
      'evaluate classifier [--net nets/bank-classifier[/VERSION]] [--data FILE[,FILE...]] [--text-col text] [--label-col category] [--json] [--backend auto|wasm|cpu]',
  },

  async train(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...common,
        out: { type: 'string' },
        test: { type: 'string', multiple: true },
        seed: { type: 'string' },
        'max-epochs': { type: 'string' },
        'no-augment': { type: 'boolean', default: false },
        version: { type: 'string' },
      },
      strict: true,
    });
    if (!values.data || !values.out) throw new Error('--data and --out are required');
    const files = dataFileList(values.data);
    const tests = values.test ? dataFileList(values.test) : undefined;
    const backend = await initBackend(values.backend as 'auto');
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    const maxEpochs = values['max-epochs'] === undefined ? undefined : Number(values['max-epochs']);
    if (
      (seed !== undefined && !Number.isInteger(seed)) ||
      (maxEpochs !== undefined && !(Number.isInteger(maxEpochs) && maxEpochs >= 1))
    ) {
      throw new Error('--seed and --max-epochs take integers');
    }
    const name = values.out.replace(/\/+$/, '').split('/').pop()!;
    const recipe =
      `npm run train -- classifier --data ${files.join(',')} --out ${values.out}` +
      (tests ? ` --test ${tests.join(',')}` : '') +
      (seed !== undefined ? ` --seed ${seed}` : '') +
      (maxEpochs !== undefined ? ` --max-epochs ${maxEpochs}` : '') +
      (values['no-augment'] ? ' --no-augment' : '');
    io.err.write(`training classifier "${name}" on ${files.join(', ')} (${backend.name} backend)\n`);
    const bar = new ProgressBar(io.err);
    const { net } = trainFromFiles({
      files,
      tests,
      name,
      cols: { textCol: values['text-col'], labelCol: values['label-col'] },
      seed,
      maxEpochs,
      augment: !values['no-augment'],
      recipe,
      onStep: (s) => bar.step(s.epoch, s.maxEpochs, s.step, s.steps, s.loss),
      onEpoch: (e) => bar.epoch(e.epoch, e.maxEpochs, e.loss, e.valAccuracy, e.seconds),
    });
    const location = net.save(values.out, values.version ?? versionName(new Date()));
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
    const backend = await initBackend(values.backend as 'auto');
    const net = ClassifierNet.load(values.net ?? 'nets/bank-classifier');
    // Without --data: the test files the net's provenance names.
    const files = values.data
      ? dataFileList(values.data)
      : (net.meta.provenance?.files.filter((f) => f.role === 'test').map((f) => f.file) ?? []);
    if (files.length === 0) throw new Error('--data is required: the net records no test files');
    const data = readLabelledFiles(files, { textCol: values['text-col'], labelCol: values['label-col'] });
    const result = evaluateByLanguage(net, data);
    const summary = {
      net: `${net.location!.name}/${net.location!.version}`,
      backend: backend.name,
      data: files.join(','),
      ...result,
    };
    if (values.json) io.out.write(`${JSON.stringify(summary)}\n`);
    else io.out.write(formatEvaluation(summary));
    net.dispose();
    return 0;
  },
};
