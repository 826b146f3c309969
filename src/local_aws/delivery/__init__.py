"""What AWS delivers to the deployed functions and moto does not, one module per event source.

Each module reads its sources back from the emulator (so a stack applied again is delivered as declared)
and invokes the functions in this process (`local_aws.functions`). `local_aws.live` runs them in a loop;
`local_aws.pipeline` drives them step by step for the integration tests and the benchmark.
"""
