// @ts-check
'use strict';

/**
 * The one-line-per-figure format, and the result record behind it that goes into the
 * JSON summary. Figure lines go to stdout; progress goes to stderr so that
 * `npm run bench > out.txt` keeps only the results.
 */

/**
 * @typedef {object} FigureResult
 * @property {number} id
 * @property {string} name
 * @property {'sqlite'|'postgres'} db
 * @property {'MET'|'NOT MET'|'n/a'|'ERROR'} status
 * @property {string} line
 * @property {Record<string, unknown>} [data]
 * @property {string} [error]
 */

/**
 * @param {{ id: number, name: string, db: 'sqlite'|'postgres', body: string, goal?: string, met?: boolean, data?: Record<string, unknown>, na?: boolean }} f
 * @returns {FigureResult}
 */
function figure({ id, name, db, body, goal, met, data, na }) {
  /** @type {FigureResult['status']} */
  const status = na ? 'n/a' : met ? 'MET' : 'NOT MET';
  const tailText = na ? '' : `  (goal ${goal})  ${status}`;
  return { id, name, db, status, line: `${id} ${name.padEnd(22)} ${db.padEnd(8)} ${body}${tailText}`, data };
}

/** @param {number} id @param {string} name @param {'sqlite'|'postgres'} db @param {unknown} error @returns {FigureResult} */
function failed(id, name, db, error) {
  const message = error instanceof Error ? error.message : String(error);
  return { id, name, db, status: 'ERROR', line: `${id} ${name.padEnd(22)} ${db.padEnd(8)} ERROR ${message.split('\n')[0]}`, error: message };
}

/** Progress for the person watching; not part of the results. */
function progress(/** @type {string} */ text) {
  process.stderr.write(`# ${text}\n`);
}

module.exports = { figure, failed, progress };
