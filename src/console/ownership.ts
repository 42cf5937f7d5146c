import type { ConversationRecord } from '../core/conversation-port.js';
import { AppError } from '../errors.js';
import type { Operator } from './operator-store-port.js';

/**
 * Who may act on a conversation. A taken conversation belongs to its owner: a colleague's
 * resolve, hand-back, reply, re-categorisation or transfer is refused; a supervisor may act
 * on anyone's (and the owner is told). Errors carry a `reason` the console says in the
 * operator's language.
 */
export function assertMayAct(operator: Operator, c: ConversationRecord): void {
  if (!c.assignedOperator || c.assignedOperator === operator.login || operator.role === 'supervisor') return;
  throw new AppError('conflict', `conversation ${c.id} is taken by ${c.assignedOperator}`, {
    details: { reason: 'taken', owner: c.assignedOperator },
  });
}

/** Taking: refused when a colleague holds it; a conversation out of the queue is taken only when confirmed. */
export function assertMayTake(operator: Operator, c: ConversationRecord, confirmed: boolean): void {
  if (c.assignedOperator && c.assignedOperator !== operator.login) {
    throw new AppError('conflict', `conversation ${c.id} is taken by ${c.assignedOperator}`, {
      details: { reason: 'taken', owner: c.assignedOperator },
    });
  }
  if ((c.status === 'bot' || c.status === 'resolved') && !confirmed) {
    throw new AppError(
      'conflict',
      c.status === 'bot'
        ? `the bot is handling conversation ${c.id}; send confirm: true to take it from the bot`
        : `conversation ${c.id} is resolved; send confirm: true to reopen and take it`,
      { details: { reason: c.status === 'bot' ? 'confirm_take_from_bot' : 'confirm_reopen' } },
    );
  }
}

/** Replying: a resolved conversation is read-only unless the reply reopens it explicitly. */
export function assertMayReply(operator: Operator, c: ConversationRecord, reopen: boolean): void {
  assertMayAct(operator, c);
  if (c.status === 'resolved' && !reopen) {
    throw new AppError('conflict', `conversation ${c.id} is resolved; send reopen: true to reopen it`, {
      details: { reason: 'resolved' },
    });
  }
}

/** Transferring: the owner hands over, anyone assigns an unassigned one, a supervisor reassigns any. */
export function assertMayAssign(operator: Operator, c: ConversationRecord): void {
  if (c.status === 'resolved') {
    throw new AppError('conflict', `conversation ${c.id} is resolved`, { details: { reason: 'resolved' } });
  }
  assertMayAct(operator, c);
}
