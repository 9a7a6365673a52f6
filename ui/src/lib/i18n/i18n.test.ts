import { describe, expect, it } from 'vitest';
import { en, type Messages } from './en';
import { fieldLabel, hasMessage, humanise, plural, t, valueLabel } from './index';

describe('t()', () => {
  it('returns the English strings', () => {
    expect(t('app.name')).toBe('Insisst');
    expect(t('kind.question')).toBe('Learning agenda');
    expect(t('kind.org')).toBe('Organisations');
    expect(t('setup.demo')).toBe('Fill with demo data');
  });

  it('fills placeholders, diacritics included', () => {
    expect(t('home.greeting', { member: 'Søren Ářký' })).toBe('Hello, Søren Ářký');
    expect(t('error.withCode', { message: 'No such record', code: 'not_found' })).toBe(
      'No such record (not_found)',
    );
    expect(plural('list.total', 100000)).toBe('100000 records');
    expect(plural('list.total', 1)).toBe('1 record');
    expect(plural('detail.revisions', 0)).toBe('0 revisions');
  });

  it('has no empty message', () => {
    for (const [key, value] of Object.entries(en)) expect(value, key).not.toBe('');
  });

  it('labels fields and values, falling back to a humanised name', () => {
    expect(hasMessage('field.session_id')).toBe(true);
    expect(fieldLabel('session_id')).toBe('Session');
    expect(fieldLabel('some_new_field')).toBe('Some new field');
    expect(valueLabel('peer_exchange')).toBe('Peer exchange');
    expect(valueLabel('brand_new')).toBe('Brand new');
    expect(humanise('a_b-c')).toBe('A b c');
  });
});

describe('typing (checked by `npm run check`)', () => {
  it('rejects unknown keys, missing params and incomplete language files', () => {
    // @ts-expect-error: not a message key
    expect(() => t('no.such.key')).not.toThrow();
    // @ts-expect-error: `{member}` is required
    t('home.greeting');
    // @ts-expect-error: a language file must have every key
    const incomplete: Messages = { 'app.name': 'Insisst' };
    expect(incomplete['app.name']).toBe('Insisst');
    const complete: Messages = { ...en, 'list.total.few': '{count} záznamy' };
    expect(complete['list.total.few']).toBe('{count} záznamy');
  });
});
