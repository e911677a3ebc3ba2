"""Makes the data-layer test fixtures: pydicom's pixel arrays for the DICOM files in dicom/, and small images
(EXIF-rotated JPEG, 16-bit PNG, a corrupt JPEG) in images/. Run from this folder:
    /tmp/oracle/bin/python make_fixtures.py
"""
import json, os
import numpy as np
import pydicom
from PIL import Image

out = {}
for name in ["MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "CT_small.dcm",
             "SC_rgb_small_odd.dcm", "SC_rgb_jpeg_dcmtk.dcm"]:
    ds = pydicom.dcmread(os.path.join("dicom", name))
    if ds.PhotometricInterpretation.startswith("YBR") or ds.file_meta.TransferSyntaxUID.is_compressed:
        arr = ds.pixel_array  # pillow decodes JPEG to RGB
        if ds.PhotometricInterpretation.startswith("YBR") and not ds.file_meta.TransferSyntaxUID.is_compressed:
            arr = pydicom.pixels.convert_color_space(arr, ds.PhotometricInterpretation, "RGB")
    else:
        arr = ds.pixel_array
    slope = float(getattr(ds, "RescaleSlope", 1)); icpt = float(getattr(ds, "RescaleIntercept", 0))
    out[name] = {"rows": int(ds.Rows), "cols": int(ds.Columns), "samples": int(ds.SamplesPerPixel),
                 "photometric": ds.PhotometricInterpretation, "transfer_syntax": str(ds.file_meta.TransferSyntaxUID),
                 "slope": slope, "intercept": icpt,
                 "pixels": arr.astype(np.int64).reshape(-1).tolist()}
with open(os.path.join("dicom", "expected.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))

os.makedirs("images", exist_ok=True)
# A 40x20 landscape picture with a red marker top-left, stored as if the camera were turned: orientation 6 means
# "rotate 90 degrees clockwise to view", so the stored pixels are the upright picture rotated counter-clockwise.
upright = np.zeros((20, 40, 3), np.uint8); upright[:, :] = (0, 0, 255); upright[0:5, 0:5] = (255, 0, 0)
stored = np.rot90(upright, k=1)  # counter-clockwise
exif = Image.Exif(); exif[0x0112] = 6
Image.fromarray(np.ascontiguousarray(stored)).save(os.path.join("images", "exif6.jpg"), quality=95, exif=exif.tobytes())
# 16-bit grayscale ramp: values 1000..1000+63*100 across x, every row the same.
ramp = np.tile((1000 + 100 * np.arange(64)).astype(np.uint16), (8, 1))
Image.fromarray(ramp).save(os.path.join("images", "gray16.png"))
# A JPEG cut short in the middle of its entropy-coded data.
Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)).save("/tmp/_full.jpg", quality=90)
data = open("/tmp/_full.jpg", "rb").read()
open(os.path.join("images", "truncated.jpg"), "wb").write(data[: len(data) // 3])
open(os.path.join("images", "not_an_image.png"), "wb").write(b"this is text, not a PNG\n")
