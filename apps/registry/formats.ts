import type { FormatPlugin } from '../../libs/format-kit/index.js';
import { genericFormat } from '../../libs/formats/generic/index.js';
import { mavenFormat } from '../../libs/formats/maven/index.js';
import { npmFormat } from '../../libs/formats/npm/index.js';
import { pypiFormat } from '../../libs/formats/pypi/index.js';
import { ociFormat } from '../../libs/formats/oci/index.js';

/** The enabled formats. Adding a format is one folder under libs/formats plus one line here. */
export const ENABLED_FORMATS: readonly FormatPlugin[] = [
  genericFormat,
  npmFormat,
  pypiFormat,
  ociFormat,
  mavenFormat,
];
