import { sql as initial } from './001-initial.js';
import { sql as shop } from './002-shop.js';

/** One forward-only schema step; `version` is its position in {@link MIGRATIONS}, from 1. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, oldest first. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001-initial', sql: initial },
  { version: 2, name: '002-shop', sql: shop },
];
