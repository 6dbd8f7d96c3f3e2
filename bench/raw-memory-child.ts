/**
 * Context for the memory test: the same un-filtered partitioned export by a raw DuckDB under the same
 * memory limit, in its own process. Prints one JSON line {ms, rows, peakRssBytes} or {error}.
 * Run: `node --import tsx bench/raw-memory-child.ts TREE TARGET MEMORY_LIMIT THREADS`.
 */
import fs from 'node:fs';
import { exportSql, fileColumns, rawQuery, totalOf } from './raw-duckdb.ts';

const [tree, target, memoryLimit, threads] = process.argv.slice(2) as [string, string, string, string];
try {
  const columns = await fileColumns(tree, Number(threads));
  fs.rmSync(target, { recursive: true, force: true });
  const sql = exportSql(tree, columns, 'true', target);
  const result = await rawQuery(sql, Number(threads), {
    memory_limit: memoryLimit,
    temp_directory: `${target}.tmp`,
  });
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const hwm = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
  console.log(JSON.stringify({ ms: result.ms, rows: totalOf(result.rows, 'Count'), peakRssBytes: hwm }));
} catch (error) {
  console.log(
    JSON.stringify({ error: error instanceof Error ? error.message.split('\n')[0] : String(error) }),
  );
} finally {
  fs.rmSync(target, { recursive: true, force: true });
  fs.rmSync(`${target}.tmp`, { recursive: true, force: true });
}
