import type { Classification, TicketClassifier } from '../core/ports.js';
import { CLASSIFY_OP, type ClassifierInfo } from './classifier/classifier-kind.js';
import { toPrediction } from './classifier/prediction.js';
import type { NetRegistry } from './runtime/net-registry.js';

/**
 * The core's classifier port over the nets registry: each call is one text through the
 * named net's version in service, micro-batched with concurrent calls.
 */
export class NetClassifier implements TicketClassifier {
  constructor(
    private readonly registry: NetRegistry,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Classifies one text with its top-k runners-up; 503 `not_ready` while the net is not loaded. */
  async classify(netName: string, text: string, k = 3): Promise<Classification> {
    const started = this.now();
    const { row, net, info } = await this.registry.run(netName, CLASSIFY_OP, text);
    const { labels, unsureThreshold } = info as ClassifierInfo;
    return { ...toPrediction(row, labels, unsureThreshold, k), net, latencyMs: this.now() - started };
  }
}
