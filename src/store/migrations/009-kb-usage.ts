/**
 * Nothing for SQLite: its one writer updates an answer's usage count in the delivery's
 * transaction without waiting for anyone. PostgreSQL's 009 moves the counting off the
 * answer's row (instances replying with the same answer waited for each other on it).
 */
export const sql = '';
