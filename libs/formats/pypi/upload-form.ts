import type { Request } from 'express';
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import { DomainError } from '../../domain/index.js';

/** The form fields of an upload, as sent (repeated fields keep every value). */
export class UploadFields {
  private readonly values = new Map<string, string[]>();
  private readonly truncated = new Set<string>();

  add(name: string, value: string, truncated: boolean): void {
    this.values.set(name, [...(this.values.get(name) ?? []), value]);
    if (truncated) this.truncated.add(name);
  }

  /** One field's value; '' when absent. A truncated or repeated value of a field we use is a 400. */
  get(name: string): string {
    const values = this.values.get(name);
    if (!values) return '';
    if (this.truncated.has(name)) throw new DomainError('BAD_REQUEST', `the "${name}" field is too long`);
    if (values.length > 1) throw new DomainError('BAD_REQUEST', `the "${name}" field is given more than once`);
    return values[0].trim();
  }
}

export interface FormLimits {
  /** the largest value of one field (long descriptions included) */
  fieldBytes: number;
  fields: number;
}

export const DEFAULT_FORM_LIMITS: FormLimits = { fieldBytes: 4 * 1024 * 1024, fields: 5000 };

/**
 * Streams a `multipart/form-data` upload (https://www.rfc-editor.org/rfc/rfc7578). Fields are
 * collected as they come; when the `content` file part starts, `onContent` gets the fields so far
 * and the part as a stream, which it must consume (into the blob store). Resolves with its result
 * once the whole form has been read, so nothing is recorded for a form that breaks off later.
 * Other file parts (`gpg_signature`, which PyPI no longer takes) are read and dropped.
 */
export function readUploadForm<T>(req: Request, onContent: (fields: UploadFields, filename: string, body: Readable) => Promise<T>, limits = DEFAULT_FORM_LIMITS): Promise<{ fields: UploadFields; content: T }> {
  if (!/^multipart\/form-data\s*;/i.test(req.get('content-type') ?? '')) {
    return Promise.reject(new DomainError('BAD_REQUEST', 'an upload is a multipart/form-data POST (the PyPI upload API)'));
  }
  return new Promise((resolve, reject) => {
    const fields = new UploadFields();
    let content: Promise<T> | undefined;
    let failed = false;
    let form: busboy.Busboy;
    try {
      form = busboy({ headers: req.headers, preservePath: true, highWaterMark: 1024 * 1024, fileHwm: 1024 * 1024, limits: { fieldSize: limits.fieldBytes, fields: limits.fields, files: 4, parts: limits.fields + 4 } });
    } catch (e) {
      reject(new DomainError('BAD_REQUEST', `unreadable multipart form: ${(e as Error).message}`));
      return;
    }
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      // stop parsing; the error handler drains a bounded rest of the body so the client reads the answer
      req.unpipe(form);
      form.removeAllListeners();
      form.on('error', () => undefined);
      form.destroy();
      reject(e instanceof DomainError ? e : new DomainError('BAD_REQUEST', `unreadable multipart form: ${(e as Error).message}`));
    };
    form.on('field', (name, value, info) => fields.add(name, value, info.valueTruncated));
    form.on('file', (name, stream, info) => {
      if (name !== 'content' || content) {
        stream.resume();
        return;
      }
      content = onContent(fields, info.filename ?? '', stream);
      content.catch((e) => {
        stream.resume();
        fail(e);
      });
    });
    form.on('fieldsLimit', () => fail(new DomainError('BAD_REQUEST', `more than ${limits.fields} form fields`)));
    form.on('partsLimit', () => fail(new DomainError('BAD_REQUEST', 'too many form parts')));
    form.on('filesLimit', () => fail(new DomainError('BAD_REQUEST', 'too many file parts')));
    form.on('error', fail);
    form.on('close', () => {
      if (failed) return;
      if (!content) return fail(new DomainError('BAD_REQUEST', 'the upload has no "content" file part'));
      content.then((value) => resolve({ fields, content: value }), fail);
    });
    req.on('aborted', () => fail(new DomainError('BAD_REQUEST', 'the upload was cut off')));
    req.pipe(form);
  });
}
