import { ContainerModule } from 'inversify';
import { DatasetToken } from '../../core/tokens.js';
import { Cifar10Dataset, IdxDataset, MnistDataset } from './datasets.js';

export default new ContainerModule(({ bind }) => {
  bind(DatasetToken).toConstantValue(MnistDataset);
  bind(DatasetToken).toConstantValue(IdxDataset);
  bind(DatasetToken).toConstantValue(Cifar10Dataset);
});
