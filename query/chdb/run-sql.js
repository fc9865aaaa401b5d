#!/usr/bin/env node
// Runs SQL statements on a current ClickHouse engine (chDB: ClickHouse's embedded engine, from npm)
// so the warehouse's integration tests can check that our SQL, written for Debian's 18.16, also
// runs on the releases users run today (see docs/clickhouse-compatibility.md).
//
//   node run-sql.js SESSION_DIR [STATEMENTS.json]     (statements on stdin when no file is given)
//
// In:  a JSON array of SQL strings, run in order in ONE chDB session whose data lives in
//      SESSION_DIR (created if missing), so later statements see what earlier ones created.
// Out: on stdout a JSON array with one element per statement, in order:
//        {"meta": [{"name": "...", "type": "..."}], "data": [["cell", ...], ...]}
//      Results are read as JSONCompactStrings: every cell is ClickHouse's own text rendering of the
//      value (what a JDBC getString() returns from 18.16), not a JavaScript number, so big UInt64
//      values and DateTimes compare exactly. Statements without a result (DDL, INSERT) give
//      {"meta": [], "data": []}.
// Exit: 0 when every statement ran; 1 when one failed: stderr names it (number and SQL) with the
//       engine's message, and no later statement runs; 2 on bad usage or when chDB is not installed.
'use strict';

const fs = require('fs');
const path = require('path');

function fail(code, message) {
  process.stderr.write(`run-sql.js: ${message}\n`);
  process.exit(code);
}

const [sessionDir, statementsFile] = process.argv.slice(2);
if (!sessionDir) {
  fail(2, 'usage: node run-sql.js SESSION_DIR [STATEMENTS.json]   (statements on stdin without a file)');
}

let chdb;
try {
  chdb = require('chdb');
} catch (e) {
  fail(2, `chdb is not installed in ${path.join(__dirname, 'node_modules')} (${e.message.split('\n')[0]}); `
    + 'run deploy/install.sh');
}

let statements;
try {
  statements = JSON.parse(fs.readFileSync(statementsFile || 0, 'utf8'));
} catch (e) {
  fail(2, `cannot read a JSON array of statements from ${statementsFile || 'stdin'}: ${e.message}`);
}
if (!Array.isArray(statements) || !statements.every((s) => typeof s === 'string' && s.trim() !== '')) {
  fail(2, 'the input must be a JSON array of non-empty SQL strings');
}

fs.mkdirSync(sessionDir, { recursive: true });
const session = new chdb.Session(sessionDir);
const results = [];
try {
  statements.forEach((sql, i) => {
    let text;
    try {
      text = session.query(sql, 'JSONCompactStrings');
    } catch (e) {
      fail(1, `statement ${i + 1} of ${statements.length} failed on ClickHouse ${engineVersion()}:\n`
        + `${e.message}\n--- statement ${i + 1}:\n${sql}`);
    }
    if (!text || text.trim() === '') {
      results.push({ meta: [], data: [] });
    } else {
      let parsed;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        parsed = null;
      }
      if (!parsed || !Array.isArray(parsed.meta) || !Array.isArray(parsed.data)) {
        fail(1, `statement ${i + 1} did not answer JSONCompactStrings (does it set its own FORMAT?):\n${sql}`);
      }
      results.push({ meta: parsed.meta, data: parsed.data });
    }
  });
} finally {
  session.close();
}
process.stdout.write(JSON.stringify(results) + '\n');

function engineVersion() {
  try {
    return session.query('SELECT version()', 'TabSeparated').trim();
  } catch (e) {
    return '(version unknown)';
  }
}
