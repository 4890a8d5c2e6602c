import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigurationError } from '@mlops-actions/core';
import {
  imageTables,
  processorForInstanceType,
  resolveImage,
  resolveImageUri,
  validateInstanceType,
  type HuggingFaceVersionTable,
  type ImageVersionTable,
} from '@mlops-actions/sagemaker';
import {
  buildImageTables,
  DEFAULT_OUTPUT,
  formatImageTables,
} from '../../../scripts/sagemaker/generate-image-tables.js';
import { fixturesDir } from './helpers.js';

function configurationError(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigurationError');
}

describe('resolveImageUri', () => {
  it('builds the scikit-learn URI of the reference example', () => {
    assert.equal(
      resolveImageUri({ framework: 'sklearn', version: '1.2-1', region: 'us-east-1', instanceType: 'ml.m5.xlarge' }),
      '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
    );
    assert.equal(
      resolveImageUri({
        framework: 'scikit-learn',
        version: '1.0-1',
        region: 'eu-west-1',
        instanceType: 'ml.c5.2xlarge',
      }),
      '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.0-1-cpu-py3',
    );
  });

  it('tags XGBoost 1.2 and later with the version alone, older framework versions with processor and Python', () => {
    assert.equal(
      resolveImageUri({ framework: 'xgboost', version: '1.7-1', region: 'us-east-1', instanceType: 'ml.m5.xlarge' }),
      '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    );
    const gpu = resolveImage({
      framework: 'xgboost',
      version: '1.5-1',
      region: 'us-west-2',
      instanceType: 'ml.g5.xlarge',
    });
    assert.equal(gpu.uri, '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.5-1');
    assert.equal(gpu.processor, undefined);
    assert.equal(
      resolveImageUri({ framework: 'xgboost', version: '1.0-1', region: 'us-west-2', instanceType: 'ml.m5.xlarge' }),
      '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3',
    );
  });

  it('resolves the built-in XGBoost algorithm, whose accounts differ, through the latest alias', () => {
    const image = resolveImage({
      framework: 'xgboost',
      version: 'latest',
      region: 'us-east-1',
      instanceType: 'ml.m5.large',
    });
    assert.equal(image.uri, '811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:latest');
    assert.equal(image.resolvedVersion, '1');
  });

  it('picks the processor from the instance type and the only Python version by default', () => {
    const gpu = resolveImage({
      framework: 'pytorch',
      version: '2.1.0',
      region: 'us-east-1',
      instanceType: 'ml.g5.2xlarge',
    });
    assert.equal(gpu.uri, '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-gpu-py310');
    assert.equal(gpu.pyVersion, 'py310');
    assert.equal(
      resolveImageUri({ framework: 'pytorch', version: '2.1.0', region: 'us-east-1', instanceType: 'ml.m5.xlarge' }),
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310',
    );
    assert.equal(
      resolveImageUri({
        framework: 'tensorflow',
        version: '2.16.2',
        region: 'eu-central-1',
        instanceType: 'ml.p3.2xlarge',
      }),
      '763104351884.dkr.ecr.eu-central-1.amazonaws.com/tensorflow-training:2.16.2-gpu-py310',
    );
  });

  it('keeps an alias in the tag like the SDK does, while the table entry comes from the full version', () => {
    const image = resolveImage({
      framework: 'pytorch',
      version: '2.0',
      region: 'us-west-2',
      instanceType: 'ml.p4d.24xlarge',
    });
    assert.equal(image.tag, '2.0-gpu-py310');
    assert.equal(image.resolvedVersion, '2.0.1');
  });

  it('uses the amazonaws.com.cn domain and the China account in cn regions', () => {
    assert.equal(
      resolveImageUri({ framework: 'pytorch', version: '2.3.0', region: 'cn-north-1', instanceType: 'ml.g4dn.xlarge' }),
      '727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/pytorch-training:2.3.0-gpu-py311',
    );
    assert.equal(
      resolveImageUri({
        framework: 'sklearn',
        version: '1.2-1',
        region: 'cn-northwest-1',
        instanceType: 'ml.m5.large',
      }),
      '451049120500.dkr.ecr.cn-northwest-1.amazonaws.com.cn/sagemaker-scikit-learn:1.2-1-cpu-py3',
    );
  });

  it('uses the ISO partitions’ domains', () => {
    assert.equal(
      resolveImageUri({
        framework: 'tensorflow',
        version: '2.13.0',
        region: 'us-iso-east-1',
        instanceType: 'ml.c5.xlarge',
      }),
      '886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov/tensorflow-training:2.13.0-cpu-py310',
    );
    assert.equal(
      resolveImageUri({
        framework: 'xgboost',
        version: '1.7-1',
        region: 'us-isof-south-1',
        instanceType: 'ml.m5.large',
      }),
      '124985052026.dkr.ecr.us-isof-south-1.csp.hci.ic.gov/sagemaker-xgboost:1.7-1',
    );
  });

  it('requires the Python version when a version has several, and checks it', () => {
    const missing = configurationError(() =>
      resolveImageUri({ framework: 'pytorch', version: '1.4.0', region: 'us-east-1', instanceType: 'ml.m5.large' }),
    );
    assert.equal(missing.input, 'py-version');
    assert.match(missing.message, /py2, py3, py36/);
    assert.equal(
      resolveImageUri({
        framework: 'pytorch',
        version: '1.4.0',
        pyVersion: 'py36',
        region: 'us-east-1',
        instanceType: 'ml.m5.large',
      }),
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:1.4.0-cpu-py36',
    );
    const wrong = configurationError(() =>
      resolveImageUri({
        framework: 'pytorch',
        version: '2.6',
        pyVersion: 'py39',
        region: 'us-east-1',
        instanceType: 'ml.m5.large',
      }),
    );
    assert.equal(wrong.input, 'py-version');
    assert.match(wrong.message, /"py39".*available Python versions: py312/);
  });

  it('names framework-version and lists the known versions and aliases for an unknown version', () => {
    const error = configurationError(() =>
      resolveImageUri({ framework: 'pytorch', version: '3.0', region: 'us-east-1', instanceType: 'ml.g5.xlarge' }),
    );
    assert.equal(error.input, 'framework-version');
    assert.match(error.message, /Input 'framework-version' has an invalid value "3\.0"/);
    assert.match(error.message, /known versions: 1\.2\.0, .*2\.6\.0 \(aliases: 1\.2, .*2\.6\)/);
  });

  it('names framework, region and base-framework-version with what is known', () => {
    const framework = configurationError(() =>
      resolveImageUri({ framework: 'mxnet', version: '1.9', region: 'us-east-1', instanceType: 'ml.m5.large' }),
    );
    assert.equal(framework.input, 'framework');
    assert.match(framework.message, /sklearn, xgboost, pytorch, tensorflow, huggingface/);

    const region = configurationError(() =>
      resolveImageUri({
        framework: 'tensorflow',
        version: '2.12.0',
        region: 'us-iso-east-1',
        instanceType: 'ml.m5.large',
      }),
    );
    assert.equal(region.input, 'region');
    assert.match(region.message, /available regions: af-south-1, .*us-west-2/);
    assert.doesNotMatch(region.message, /us-iso-east-1,/);

    const base = configurationError(() =>
      resolveImageUri({
        framework: 'huggingface',
        version: '4.26',
        region: 'us-east-1',
        instanceType: 'ml.g5.xlarge',
        baseFrameworkVersion: 'pytorch2.0',
      }),
    );
    assert.equal(base.input, 'base-framework-version');
    assert.match(base.message, /pytorch1\.13\.1 \(aliases: pytorch1\.13\)/);
  });

  it('builds Hugging Face tags from the base framework, transformers version and container version', () => {
    assert.equal(
      resolveImageUri({
        framework: 'huggingface',
        version: '4.26',
        baseFrameworkVersion: 'pytorch1.13',
        region: 'us-east-1',
        instanceType: 'ml.g5.xlarge',
      }),
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04',
    );
    assert.equal(
      resolveImageUri({
        framework: 'huggingface',
        version: '4.17.0',
        baseFrameworkVersion: 'tensorflow2.6.3',
        region: 'eu-west-1',
        instanceType: 'ml.p3.2xlarge',
      }),
      '763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-tensorflow-training:2.6.3-transformers4.17.0-gpu-py38-cu112-ubuntu20.04',
    );
    // Versions before 4.6 carry no container version in the SDK's table.
    assert.equal(
      resolveImageUri({
        framework: 'huggingface',
        version: '4.4.2',
        baseFrameworkVersion: 'pytorch1.6.0',
        region: 'us-east-1',
        instanceType: 'ml.p3.2xlarge',
      }),
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:1.6.0-transformers4.4.2-gpu-py36',
    );
  });

  it('refuses processors an image is not built for, naming instance-type', () => {
    const cpu = configurationError(() =>
      resolveImageUri({
        framework: 'huggingface',
        version: '4.28',
        baseFrameworkVersion: 'pytorch2.0',
        region: 'us-east-1',
        instanceType: 'ml.m5.xlarge',
      }),
    );
    assert.equal(cpu.input, 'instance-type');
    assert.match(cpu.message, /no cpu variant; available processors: gpu/);
    const trainium = configurationError(() =>
      resolveImageUri({ framework: 'pytorch', version: '2.1', region: 'us-east-1', instanceType: 'ml.trn1.2xlarge' }),
    );
    assert.match(trainium.message, /no trn variant \(Neuron images/);
  });

  it('refuses P2 instances for PyTorch 1.13+ and TensorFlow 2.12+, as the SDK does', () => {
    assert.equal(
      configurationError(() =>
        resolveImageUri({ framework: 'pytorch', version: '1.13', region: 'us-east-1', instanceType: 'ml.p2.xlarge' }),
      ).input,
      'instance-type',
    );
    assert.ok(
      resolveImageUri({ framework: 'pytorch', version: '1.12', region: 'us-east-1', instanceType: 'ml.p2.xlarge' }),
    );
    assert.throws(
      () =>
        resolveImageUri({
          framework: 'tensorflow',
          version: '2.12',
          region: 'us-east-1',
          instanceType: 'ml.p2.xlarge',
        }),
      ConfigurationError,
    );
  });

  it('adds the CUDA 11 container suffix the SDK selects on p4d for old images', () => {
    assert.equal(
      resolveImage({ framework: 'tensorflow', version: '2.3.2', region: 'us-east-1', instanceType: 'ml.p4d.24xlarge' })
        .tag,
      '2.3.2-gpu-py37-cu110-ubuntu18.04',
    );
    assert.equal(
      resolveImage({ framework: 'tensorflow', version: '2.3.2', region: 'us-east-1', instanceType: 'ml.p3.2xlarge' })
        .tag,
      '2.3.2-gpu-py37',
    );
  });

  it('resolves every vendored version in every region it lists', () => {
    let count = 0;
    for (const [framework, table] of Object.entries(imageTables.frameworks)) {
      for (const [version, entry] of Object.entries(table.versions)) {
        const variants: [string | undefined, ImageVersionTable][] =
          'baseFrameworks' in entry
            ? Object.entries((entry as HuggingFaceVersionTable).baseFrameworks)
            : [[undefined, entry as ImageVersionTable]];
        for (const [base, image] of variants) {
          for (const region of Object.keys(imageTables.registries[image.registry]!)) {
            const instanceType =
              image.processors.includes('cpu') || image.processors.length === 0 ? 'ml.m5.xlarge' : 'ml.g5.xlarge';
            const uri = resolveImageUri({
              framework,
              version,
              region,
              instanceType,
              baseFrameworkVersion: base,
              pyVersion: image.pyVersions.at(-1),
            });
            assert.match(uri, /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.[a-z0-9.-]+\/[a-z0-9-]+:[A-Za-z0-9._-]+$/, uri);
            count++;
          }
        }
      }
    }
    assert.ok(count > 3000, `resolved ${count} URIs`);
  });
});

describe('image tables', () => {
  it('are exactly what the generator makes of the SDK files under test/fixtures', async () => {
    const rebuilt = buildImageTables(path.join(fixturesDir, 'image_uri_config'));
    assert.deepEqual(rebuilt, imageTables);
    assert.equal(await formatImageTables(rebuilt, DEFAULT_OUTPUT), readFileSync(DEFAULT_OUTPUT, 'utf8'));
  });

  it('store each region map once', () => {
    const maps = Object.values(imageTables.registries).map((map) => JSON.stringify(map));
    assert.equal(new Set(maps).size, maps.length);
  });
});

describe('validateInstanceType', () => {
  it('accepts ml.<family>.<size> and local', () => {
    for (const ok of [
      'ml.m5.xlarge',
      'ml.g4dn.12xlarge',
      'ml.p6-b200.48xlarge',
      'ml.t3.medium',
      'local',
      'local_gpu',
    ]) {
      assert.equal(validateInstanceType(ok), ok);
    }
    assert.equal(validateInstanceType('  ml.c5.large '), 'ml.c5.large');
  });

  it('refuses anything else, naming the input', () => {
    for (const bad of ['m5.xlarge', 'ml.m5', 'ML.M5.XLARGE', 'ml.m5.xlarge.x', 'ml..large', '', 'ml.m5.x large']) {
      const error = configurationError(() => validateInstanceType(bad, 'instance-type'));
      assert.equal(error.input, 'instance-type');
      assert.match(error.message, /ml\.<family>\.<size>/);
    }
    assert.equal(
      configurationError(() => validateInstanceType('x', 'processing-instance-type')).input,
      'processing-instance-type',
    );
  });

  it('accepts every training instance type in botocore’s SageMaker model', (t) => {
    const result = spawnSync(
      'python3',
      [
        '-c',
        `import json, gzip, glob, os, botocore
f = glob.glob(os.path.join(os.path.dirname(botocore.__file__), "data", "sagemaker", "*", "service-2.json*"))[0]
d = json.load(gzip.open(f) if f.endswith(".gz") else open(f))
print(json.dumps(d["shapes"]["TrainingInstanceType"]["enum"]))`,
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) {
      // Only a missing botocore is a reason to skip, and not in CI, which must run this check.
      if (/No module named 'botocore'/.test(result.stderr) && process.env.CI !== 'true') {
        t.skip('botocore is not installed');
        return;
      }
      assert.fail(result.stderr);
    }
    const types = JSON.parse(result.stdout) as string[];
    assert.ok(types.length > 50);
    for (const type of types) assert.equal(validateInstanceType(type), type);
  });
});

describe('processorForInstanceType', () => {
  it('maps families like image_uris._processor', () => {
    const cases: [string, string][] = [
      ['ml.m5.xlarge', 'cpu'],
      ['ml.c6i.large', 'cpu'],
      ['ml.p3.2xlarge', 'gpu'],
      ['ml.g5.xlarge', 'gpu'],
      ['ml.p6-b200.48xlarge', 'gpu'],
      ['ml.inf2.xlarge', 'inf'],
      ['ml.trn1.32xlarge', 'trn'],
      ['local', 'cpu'],
      ['local_gpu', 'gpu'],
    ];
    for (const [instanceType, processor] of cases)
      assert.equal(processorForInstanceType(instanceType), processor, instanceType);
    // A family an image is built for specifically wins.
    assert.equal(processorForInstanceType('ml.c5.xlarge', ['c5', 'cpu']), 'c5');
  });
});
