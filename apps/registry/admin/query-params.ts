import { DomainError } from '../../../libs/domain/index.js';

/** A non-negative integer query parameter, capped at `max`. */
export const intParam = (value: string | undefined, name: string, fallback: number, max: number): number => {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new DomainError('BAD_REQUEST', `${name} must be a non-negative integer`);
  return Math.min(Number(value), max);
};

/** `a,b` or repeated `?type=a&type=b` as a list. */
export const listParam = (value: string | string[] | undefined): string[] | undefined => {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return list.length > 0 ? list : undefined;
};
