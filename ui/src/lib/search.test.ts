import { describe, expect, it } from 'vitest';
import { PARTNERS } from '../test/fakeApi';
import { addFilter, hasFilter, isIndexBuilding, orgFilter, removeFilter, searchRequest, tagFilter } from './search';

describe('search helpers', () => {
  it('asks for a prefix match unless the query ends with a space', () => {
    expect(searchRequest('Århus ko', null)).toEqual({ query: 'Århus ko', as_you_type: true, kind: null, limit: null });
    expect(searchRequest('Århus ', 'note')).toEqual({ query: 'Århus ', as_you_type: false, kind: 'note', limit: null });
  });

  it('adds a filter before a word still being typed, else at the end', () => {
    expect(addFilter('', 'tag:youth')).toBe('tag:youth ');
    expect(addFilter('kommu', 'tag:youth')).toBe('tag:youth kommu');
    expect(addFilter('Århus kommu', 'tag:youth')).toBe('Århus tag:youth kommu');
    expect(addFilter('Århus ', 'tag:youth')).toBe('Århus tag:youth ');
    expect(addFilter('kind:note', 'tag:youth')).toBe('kind:note tag:youth ');
    expect(addFilter('"peer exchange"', 'tag:youth')).toBe('"peer exchange" tag:youth ');
    expect(addFilter('"peer ex', 'tag:youth')).toBe('"peer ex" tag:youth ');
    expect(addFilter('a -draft', 'tag:youth')).toBe('a -draft tag:youth ');
    expect(addFilter('a TAG:Youth b', 'tag:youth')).toBe('a TAG:Youth b');
  });

  it('finds and removes filters', () => {
    expect(hasFilter('a tag:youth b', 'tag:youth')).toBe(true);
    expect(hasFilter('a -tag:youth', 'tag:youth')).toBe(false);
    expect(removeFilter('a tag:youth b', 'tag:youth')).toBe('a b');
    expect(removeFilter('tag:youth ', 'tag:youth')).toBe('');
    expect(removeFilter('"peer exchange"  tag:youth ', 'tag:youth')).toBe('"peer exchange" ');
  });

  it('names tags and organisations the way the query language can', () => {
    expect(tagFilter('youth')).toBe('tag:youth');
    expect(tagFilter('two words')).toBeNull();
    expect(orgFilter('THL — Finnish Institute for Health and Welfare', PARTNERS)).toBe('org:THL');
    expect(orgFilter('Rethink Ireland', PARTNERS)).toBe('org:Rethink');
    expect(orgFilter('Kommunernes', PARTNERS)).toBe('org:Kommunernes');
    expect(orgFilter('Aarhus Kommune', PARTNERS)).toBeNull();
  });

  it('recognises the index-building error', () => {
    expect(isIndexBuilding({ code: 'index_building', message: 'wait' })).toBe(true);
    expect(isIndexBuilding({ code: 'store', message: 'x' })).toBe(false);
    expect(isIndexBuilding('index_building')).toBe(false);
  });
});
