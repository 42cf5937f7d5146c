import { describe, expect, it } from 'vitest';
import { buttonLabel } from '../../../src/channels/telegram/outbound.js';

describe('telegram button labels', () => {
  it('keep short answers whole and cut long ones at a word, under 60 characters', () => {
    expect(buttonLabel('Delivery estimates are shown in the app.')).toBe(
      'Delivery estimates are shown in the app.',
    );
    const label = buttonLabel(
      'Cards arrive within 3 working days of your order; you can follow the delivery in the app.',
    );
    expect(label).toBe('Cards arrive within 3 working days of your order; you can…');
    expect(label.length).toBeLessThanOrEqual(60);
    expect(buttonLabel(`${'x'.repeat(80)}`)).toHaveLength(60);
  });
});
