"""Overrides and ``--params`` checked against the base parameters (the declared
cases: ``PARAMETERS`` in tests/bad_declarations.py)."""

from __future__ import annotations

import pytest
from bad_declarations import PARAMETERS, assert_refused, parametrize

from kedro_dynamic_hooks import DeclarationError
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand


@parametrize(PARAMETERS)
def test_bad_declaration(templates, reference, mutation, path, fragments):
    assert_refused(templates, reference, mutation, path, fragments)


def test_runtime_params_for_an_unknown_variant_are_refused(templates, reference):
    runtime = {"price_predictor": {"candidat1": {"model_options": {"test_size": 0.3}}}}
    with pytest.raises(
        DeclarationError,
        match=r"targets 'price_predictor.candidat1'.*Did you mean 'price_predictor.candidate1'\?",
    ) as info:
        expand(
            parse_declaration(reference["dynamic_pipelines"]),
            templates,
            {**reference, **runtime},
            runtime_params=runtime,
        )
    assert info.value.source == "--params"


@pytest.mark.parametrize(
    ("runtime", "path", "fragment"),
    [
        (
            {"price_predictor": 5},
            "price_predictor",
            "would replace the whole mapping 'price_predictor'",
        ),
        (
            {"price_predictor": {"base": 5}},
            "price_predictor.base",
            "would replace the whole mapping 'price_predictor.base'",
        ),
        (
            {"price_predictor": {"base": {"model_options": 5}}},
            "price_predictor.base.model_options",
            "would replace the whole mapping 'price_predictor.base.model_options'",
        ),
        (
            {"price_predictor": {"base": {"model_options": {"test_sise": 0.3}}}},
            "price_predictor.base.model_options.test_sise",
            "Did you mean 'price_predictor.base.model_options.test_size'?",
        ),
        (
            {"price_predictor": {"base": {"model_options": {"test_size": {"typo": 1}}}}},
            "price_predictor.base.model_options.test_size",
            "gives a mapping for 'price_predictor.base.model_options.test_size', which is a single value (0.2)",
        ),
        (
            {"price_predictor": {"base": {"seed": 1}}},
            "price_predictor.base.seed",
            "Known: 'model_options'.",
        ),
    ],
)
def test_runtime_params_that_would_change_nothing_or_too_much(
    templates, reference, runtime, path, fragment
):
    with pytest.raises(DeclarationError) as info:
        expand(
            parse_declaration(reference["dynamic_pipelines"]),
            templates,
            {**reference, **runtime},
            runtime_params=runtime,
        )
    assert info.value.path == path
    assert info.value.source == "--params"
    assert fragment in str(info.value)


def test_runtime_params_inside_a_free_form_mapping_are_allowed(templates, reference):
    runtime = {
        "price_predictor": {
            "candidate2": {"model_options": {"model_params": {"alpha": 9, "tol": 0.1}}}
        }
    }
    params = expand(
        parse_declaration(reference["dynamic_pipelines"]),
        templates,
        {**reference, **runtime},
        runtime_params=runtime,
    ).parameters
    assert params["price_predictor"]["candidate2"]["model_options"]["model_params"] == {
        "alpha": 9,
        "tol": 0.1,
    }


def test_params_for_a_variant_do_not_hide_a_clash_in_the_files(templates, reference):
    reference["price_predictor"] = {"unrelated": 1}  # the files define the namespace's key
    runtime = {"price_predictor": {"candidate1": {"model_options": {"test_size": 0.3}}}}
    reference["price_predictor"]["candidate1"] = runtime["price_predictor"]["candidate1"]
    with pytest.raises(DeclarationError, match="same name as a top-level parameter"):
        expand(
            parse_declaration(reference["dynamic_pipelines"]),
            templates,
            reference,
            runtime_params=runtime,
        )
    del reference["price_predictor"]["unrelated"]  # now only --params put it there
    e = expand(
        parse_declaration(reference["dynamic_pipelines"]),
        templates,
        reference,
        runtime_params=runtime,
    )
    assert e.parameters["price_predictor"]["candidate1"]["model_options"]["test_size"] == 0.3


def test_runtime_params_that_forget_the_namespace_are_blamed_on_params():
    from kedro_dynamic_hooks._expansion.parameters import check_runtime_variant_names

    variants = {"price_predictor": ["base", "ridge"], "reviews": ["ridge"]}
    files = {"model_options": {"model_params": {}}}
    with pytest.raises(DeclarationError) as info:
        check_runtime_variant_names(
            {"ridge": {"model_options": {"model_params": {"alpha": 3}}}}, files, variants
        )
    assert str(info.value) == (
        "Invalid dynamic pipelines declaration at 'ridge' (in --params): --params "
        "'ridge.model_options.model_params.alpha=3' starts with variant 'ridge' without its "
        "namespace, so it would add a top-level parameter 'ridge' instead. Did you mean "
        "'--params price_predictor.ridge.model_options.model_params.alpha=3'?"
    )
    # A new top-level parameter named like no variant, or one the files define, passes.
    check_runtime_variant_names({"seed": 4, "model_options": {"x": 1}}, files, variants)
    check_runtime_variant_names({"base": 1}, {**files, "base": 0}, variants)


def test_runtime_params_added_under_an_empty_mapping_are_listed_with_the_declarations(
    templates, reference
):
    runtime = {
        "price_predictor": {
            "candidate2": {"model_options": {"model_params": {"alpah": 3, "alpha": 4.0}}}
        }
    }
    expansion = expand(
        parse_declaration(reference["dynamic_pipelines"]),
        templates,
        {**reference, **runtime},
        runtime_params=runtime,
    )
    # A new key under `model_params: {}` is listed; overriding an existing one is not.
    assert expansion.runtime_added == (
        "--params price_predictor.candidate2.model_options.model_params.alpah",
    )
    assert expansion.added_keys[-1] == expansion.runtime_added[0]
    assert any(k.startswith("dynamic_pipelines.") for k in expansion.added_keys)
