import type pg from 'pg';

/**
 * withTransaction runs `fn` inside BEGIN/COMMIT on one pooled client and returns its
 * result; on error it rolls back and rethrows. A client whose rollback also failed
 * (a broken connection) is discarded instead of going back to the pool.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    broken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    throw err;
  } finally {
    client.release(broken);
  }
}
