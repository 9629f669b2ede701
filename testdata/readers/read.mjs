// Reads a Parquet file (hyparquet) or an Arrow IPC stream (apache-arrow)
// with readers that zoomsync did not write, and prints the rows as JSON
// lines: first {"columns": [...]}, then one array of values per row.
//
//   node read.mjs parquet FILE
//   node read.mjs arrow FILE        (FILE "-" reads standard input)
//
// Values are printed in one canonical form, so that a test can compare
// them with `zoomsync query --format json`: null; numbers (64-bit integers
// beyond 2^53 as strings); strings; booleans; timestamps as ISO 8601 UTC
// with milliseconds (what a JavaScript Date holds).
import { readFileSync } from 'node:fs'
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { tableFromIPC, DataType } from 'apache-arrow'

function canon(v) {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()
  }
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return v.map(canon)
  return v
}

function readInput(path) {
  return path === '-' ? readFileSync(0) : readFileSync(path)
}

async function readParquet(path) {
  const buf = readInput(path)
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
  const metadata = parquetMetadata(file)
  const columns = parquetSchema(metadata).children.map((c) => c.element.name)
  const rows = await parquetReadObjects({ file, metadata, compressors })
  return { columns, rows: rows.map((r) => columns.map((c) => canon(r[c]))) }
}

function readArrow(path) {
  const table = tableFromIPC(readInput(path))
  const fields = table.schema.fields
  const columns = fields.map((f) => f.name)
  const vectors = fields.map((_, i) => table.getChildAt(i))
  const rows = []
  for (let r = 0; r < table.numRows; r++) {
    rows.push(vectors.map((vec, i) => {
      const v = vec.get(r)
      if (v !== null && DataType.isTimestamp(fields[i].type)) {
        // apache-arrow gives timestamps as epoch milliseconds.
        return new Date(Number(v)).toISOString()
      }
      return canon(v)
    }))
  }
  return { columns, rows }
}

const [kind, path] = process.argv.slice(2)
if (!['parquet', 'arrow'].includes(kind) || !path) {
  console.error('usage: node read.mjs parquet|arrow FILE')
  process.exit(2)
}
const { columns, rows } = kind === 'parquet' ? await readParquet(path) : readArrow(path)
const out = [JSON.stringify({ columns })]
for (const r of rows) out.push(JSON.stringify(r))
process.stdout.write(out.join('\n') + '\n')
