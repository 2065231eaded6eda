"""WeasyPrint 70 as booklet needs it: every replaced or read internal, in one registry.

`registry` lists each patch with the fingerprint of the WeasyPrint source it was
written for and whether it is a speed patch or a typesetting feature; the renderer
installs them (`registry.install`), importing a module installs nothing; `fingerprints`
reads the replaced functions' source. Each other module is one patch, named as in the
registry; `fast_import` imports WeasyPrint without its library search.
"""
