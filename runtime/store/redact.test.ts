import { describe, expect, it } from 'vitest';
import { redact, redactError } from './redact.ts';

describe('redact', () => {
  it('masks the password of a connection URL and keeps the rest', () => {
    expect(redact('postgresql://fluxora:s3cr3t@db.example:5432/fluxora')).toBe('postgresql://fluxora:***@db.example:5432/fluxora');
    expect(redact('postgres://u:p%40ss%2Fw@h/db?sslmode=require')).toBe('postgres://u:***@h/db?sslmode=require');
  });

  it('leaves URLs without a password alone', () => {
    expect(redact('postgresql://fluxora@db:5432/fluxora')).toBe('postgresql://fluxora@db:5432/fluxora');
    expect(redact('postgresql://db/fluxora')).toBe('postgresql://db/fluxora');
  });

  it('masks password query parameters and libpq keywords', () => {
    expect(redact('postgresql://db/x?user=a&password=hunter2')).not.toContain('hunter2');
    expect(redact("host=db user=a password='hun ter2' dbname=x")).toBe('host=db user=a password=*** dbname=x');
    expect(redact('host=db password=hunter2 dbname=x')).toBe('host=db password=*** dbname=x');
  });

  it('masks URLs inside free text such as error messages', () => {
    const msg = 'connect ECONNREFUSED for postgres://admin:topsecret@10.0.0.1:5432/app (retrying)';
    expect(redact(msg)).toBe('connect ECONNREFUSED for postgres://admin:***@10.0.0.1:5432/app (retrying)');
    expect(redactError(new Error(msg))).not.toContain('topsecret');
    expect(redact('a postgres://u:p@ss@h/db b')).not.toContain('ss@h');
  });
});
