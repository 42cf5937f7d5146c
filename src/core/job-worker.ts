import { retryDelay } from './backoff.js';
import { PROCESS_MESSAGE } from './intake.js';
import type { MessagePipeline } from './pipeline.js';
import type { Job, JobQueue } from './ports.js';
import { QueueWorker, type QueueWorkerOptions } from './queue-worker.js';

/** Options for {@link JobWorker}; after `maxAttempts` the message is handed to the operators unclassified. */
export interface JobWorkerOptions extends QueueWorkerOptions {
  jobs: JobQueue;
  pipeline: MessagePipeline;
}

/**
 * Runs the pipeline on stored messages in the background. A failure (nets not loaded, a
 * busy database) is retried with backoff; the last attempt hands the message off instead
 * of failing, so an acknowledged message always reaches a person or an answer.
 */
export class JobWorker extends QueueWorker<Job> {
  constructor(private readonly o: JobWorkerOptions) {
    super({ name: 'job', claim: (limit) => o.jobs.claimDue(limit), wakeOn: 'message.received', options: o });
  }

  protected handle(job: Job): Promise<void> {
    return this.run(job);
  }
  /** Runs a job the caller claimed itself, as the REST API does to answer with the decision. */
  runInline(job: Job): Promise<void> {
    return this.run(job, true);
  }

  /** Runs one claimed job; a failure is retried later with backoff. */
  async run(job: Job, inline = false): Promise<void> {
    const { jobs, clock, logger } = this.o;
    if (job.kind !== PROCESS_MESSAGE) {
      await this.loop.settle(() => jobs.fail(job.id, `unknown job kind ${job.kind}`, null));
      return;
    }
    const messageId = (job.payload as { messageId?: unknown }).messageId;
    if (typeof messageId !== 'number') {
      await this.loop.settle(() => jobs.fail(job.id, 'job payload has no messageId', null));
      return;
    }
    const final = job.attempts >= this.o.maxAttempts;
    try {
      const result = await this.o.pipeline.process(messageId, { jobId: job.id, final, inline });
      if (!result) await this.loop.settle(() => jobs.complete(job.id));
    } catch (err) {
      const retryAt = final ? null : clock.now() + retryDelay(job.attempts, this.o.backoff, this.o.random);
      logger.warn({ err, jobId: job.id, messageId, attempts: job.attempts, retryAt }, 'processing failed');
      // Recorded even if the store refuses for a while (locked): a job left `running` would hold up its conversation.
      await this.loop.settle(() => jobs.fail(job.id, (err as Error).message ?? String(err), retryAt));
    }
  }
}
