// Drives a running Runnel server with the stock @supabase/postgrest-js client; prints one JSON object.
import { PostgrestClient } from '@supabase/postgrest-js'

const db = new PostgrestClient(process.argv[2])
const out = {}
function keep(name, res) {
  if (res.error) throw new Error(name + ': ' + res.status + ' ' + JSON.stringify(res.error))
  out[name] = { data: res.data, count: res.count, status: res.status }
}

keep('insert', await db.from('people').insert([
  { id: 1, name: 'Alice', age: 34, active: true, email: 'alice@example.com' },
  { id: 2, name: 'bob', age: 17, active: false },
]).select('id,name'))
keep('insertMinimal', await db.from('people').insert({ id: 3, name: 'Carol', age: null }))
keep('select', await db.from('people').select('id,name', { count: 'exact' }).gte('age', 18).order('id'))
keep('rename', await db.from('people').select('who:name').eq('id', 2))
keep('ilike', await db.from('people').select('id').ilike('name', 'B%'))
keep('like', await db.from('people').select('id').like('name', 'b%'))
keep('in', await db.from('people').select('id').in('id', [1, 2, 99]).order('id', { ascending: false }))
keep('or', await db.from('people').select('id').or('age.lt.18,name.eq.Alice').order('id'))
keep('is', await db.from('people').select('id').is('email', null).order('id'))
keep('not', await db.from('people').select('id').not('id', 'eq', 1).order('id'))
keep('range', await db.from('people').select('id').order('id').range(1, 2))
keep('limit', await db.from('people').select('id').order('id', { ascending: false }).limit(1))
keep('update', await db.from('people').update({ age: 18 }).eq('id', 2).select())
keep('upsert', await db.from('people').upsert({ id: 1, name: 'Alice B', age: 35 }).select('id,name'))
keep('upsertIgnore', await db.from('people').upsert([{ id: 1, name: 'X' }, { id: 4, name: 'Dan' }],
  { ignoreDuplicates: true }).select('id'))
keep('upsertOnConflict', await db.from('people').upsert({ email: 'alice@example.com', name: 'Alice C' },
  { onConflict: 'email' }).select('id,name'))
keep('single', await db.from('people').select('id,name').eq('id', 1).single())
keep('maybeSingle', await db.from('people').select('id').eq('id', 99).maybeSingle())
keep('delete', await db.from('people').delete({ count: 'exact' }).eq('id', 3).select('id'))
keep('head', await db.from('people').select('*', { count: 'exact', head: true }))
const many = await db.from('people').select('id').single()
out.singleError = { status: many.status, code: many.error && many.error.code }
const missing = await db.from('nope').select()
out.missing = { status: missing.status, code: missing.error && missing.error.code }
const badCol = await db.from('people').select('id').eq('nope', 1)
out.badColumn = { status: badCol.status, code: badCol.error && badCol.error.code }
console.log(JSON.stringify(out))
