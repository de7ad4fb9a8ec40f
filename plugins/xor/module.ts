import { ContainerModule } from 'inversify';
import { DatasetToken } from '../../core/tokens.js';
import { XorDataset } from './xor.js';

export default new ContainerModule(({ bind }) => {
  bind(DatasetToken).toConstantValue(XorDataset);
});
