import { Module } from '@nestjs/common';
import type { FormatPlugin } from '../../format-kit/index.js';
import { pypiClientError } from './pypi-errors.js';
import { PypiController } from './pypi.controller.js';
import { pypiProjectsProjection } from './pypi.projection.js';
import { PYPI } from './pypi-state.js';

@Module({ controllers: [PypiController] })
export class PypiModule {}

/** PyPI repositories: `twine upload --repository-url <base>/pypi/<repo>/`, `pip install --index-url <base>/pypi/<repo>/simple/`. */
export const pypiFormat: FormatPlugin = {
  format: PYPI,
  pathPrefix: '/pypi/',
  module: PypiModule,
  projections: [pypiProjectsProjection],
  // a file name, once used, is never used again, even after its release is deleted (as on PyPI)
  allowReuseAfterDelete: false,
  toClientError: pypiClientError,
};
