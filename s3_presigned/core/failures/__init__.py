"""Every cause that ends a step, as a type that carries its data and words its one line in its own family's module.

A cause is decided where what it names is known (:mod:`s3_presigned.s3.causes`, :mod:`s3_presigned.proof`); a
server's words arrive already shown by their shape. Lines that do not stop a step are in ``core.notices``.
"""
