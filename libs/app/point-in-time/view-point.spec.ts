import { DomainError } from '../../domain/index.js';
import { parseViewPoint } from './view-point.js';

describe('parseViewPoint: the <point> of /@<point>/...', () => {
  it.each([
    ['42', { position: 42 }],
    ['2026-11-01T00:00:00Z', { time: new Date('2026-11-01T00:00:00Z') }],
    ['2026-11-01T02:30:00.250+02:00', { time: new Date('2026-11-01T00:30:00.250Z') }],
    ['2026-11-01t00:00:00z', { time: new Date('2026-11-01T00:00:00Z') }],
    ['2026-11-01', { time: new Date('2026-11-01T00:00:00Z') }],
    ['2026-11-01T00%3A00%3A00Z', { time: new Date('2026-11-01T00:00:00Z') }],
  ])('%s', (text, expected) => {
    expect(parseViewPoint(text)).toEqual(expected);
  });

  it.each(['0', '-1', 'yesterday', '2026-13-01T00:00:00Z', '2026-11-01T00:00:00', '2026-11-01 00:00:00Z', '1e3', ''])('refuses %j', (text) => {
    expect(() => parseViewPoint(text)).toThrow(DomainError);
  });
});
