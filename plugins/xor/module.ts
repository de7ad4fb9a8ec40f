import { ContainerModule } from 'inversify';
import { DatasetToken } from '../../core/tokens.js';
import { ParityDataset, XorDataset } from './xor.js';

export default new ContainerModule(({ bind }) => {
  bind(DatasetToken).toConstantValue(XorDataset);
  bind(DatasetToken).toConstantValue(ParityDataset);
});
