"""Segmentation shared by chapters 17 and 18: overlap and distance metrics, lesion-wise
detection, bootstrap intervals, a classical (threshold + morphology) segmenter, and
masks to and from DICOM (RTSTRUCT, DICOM SEG). No TensorFlow here.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import ndimage as ndi
from scipy import stats
from skimage import measure, morphology


def dice(pred, truth) -> float:
    """Dice coefficient 2|A∩B| / (|A| + |B|) of two boolean masks; 1.0 when both are
    empty."""
    pred, truth = np.asarray(pred, bool), np.asarray(truth, bool)
    total = pred.sum() + truth.sum()
    return 1.0 if total == 0 else float(2 * (pred & truth).sum() / total)


def iou(pred, truth) -> float:
    """Intersection over union (Jaccard index) |A∩B| / |A∪B| of two boolean masks;
    1.0 when both are empty."""
    pred, truth = np.asarray(pred, bool), np.asarray(truth, bool)
    union = (pred | truth).sum()
    return 1.0 if union == 0 else float((pred & truth).sum() / union)


def _surface(mask):
    return mask & ~ndi.binary_erosion(mask, border_value=0)


def hd95_mm(pred, truth, spacing_mm=(1.0, 1.0)) -> float:
    """95th percentile of the symmetric surface distances between two masks, in mm; NaN
    if one is empty.

    Distances from each boundary pixel of one mask to the nearest boundary pixel of the
    other, both directions pooled (as in MedPy's ``hd95``); ``spacing_mm`` is the pixel
    size per axis. 0.0 when both masks are empty.
    """
    pred, truth = np.asarray(pred, bool), np.asarray(truth, bool)
    if not pred.any() and not truth.any():
        return 0.0
    if not pred.any() or not truth.any():
        return float("nan")
    sp, st = _surface(pred), _surface(truth)
    to_truth = ndi.distance_transform_edt(~st, sampling=spacing_mm)[sp]
    to_pred = ndi.distance_transform_edt(~sp, sampling=spacing_mm)[st]
    return float(np.percentile(np.concatenate([to_truth, to_pred]), 95))


def per_image(metric, preds, truths, **kwargs) -> np.ndarray:
    """``metric(pred, truth, **kwargs)`` for each image of two stacks (N, H, W);
    float64 (N,)."""
    return np.array(
        [metric(p, t, **kwargs) for p, t in zip(preds, truths)], dtype=np.float64
    )


def lesion_detection(preds, lesions, lesion_table, min_overlap: float = 0.5):
    """One row per true lesion: image, label, radius_mm, contrast_hu, covered (fraction)
    and found (bool).

    ``preds`` (N, H, W) bool; ``lesions`` (N, H, W) label maps; ``lesion_table`` (L, 4)
    from ``phantoms.phantom_dataset`` (image index, label, radius_mm, contrast_hu). A
    lesion is found when the prediction covers at least ``min_overlap`` of its pixels.
    Returns a pandas DataFrame.
    """
    import pandas as pd

    rows = []
    for image, label, radius, contrast in np.asarray(lesion_table):
        inside = lesions[int(image)] == int(label)
        covered = float(np.asarray(preds[int(image)], bool)[inside].mean())
        rows.append(
            {
                "image": int(image),
                "label": int(label),
                "radius_mm": float(radius),
                "contrast_hu": float(contrast),
                "covered": covered,
                "found": covered >= min_overlap,
            }
        )
    return pd.DataFrame(rows)


def false_positives(preds, lesions) -> np.ndarray:
    """Per image, the number of predicted connected regions that touch no true
    lesion: int (N,)."""
    counts = []
    for pred, truth in zip(preds, lesions):
        regions, n = ndi.label(np.asarray(pred, bool))
        touched = np.unique(regions[(truth > 0) & (regions > 0)])
        counts.append(n - len(touched))
    return np.array(counts, dtype=int)


def sensitivity_by(
    detections, size_edges_mm=(0, 7.5, 12.5, 20), contrast_edges_hu=(0, 30, 60, 100)
):
    """Lesion-wise sensitivity (share found) in a size x contrast table, with the
    lesion count per cell."""
    import pandas as pd

    d = detections.assign(
        size=pd.cut(detections["radius_mm"], size_edges_mm),
        contrast=pd.cut(detections["contrast_hu"], contrast_edges_hu),
    )
    table = d.pivot_table(
        index="size",
        columns="contrast",
        values="found",
        aggfunc=["mean", "count"],
        observed=False,
    )
    table.index.name, table.columns.names = "radius (mm)", ["", "contrast (HU)"]
    return table.rename(columns={"mean": "sensitivity", "count": "lesions"}, level=0)


def mean_ci(
    values, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """(mean, low, high): the mean of per-image ``values`` and its percentile
    bootstrap interval (NaNs dropped)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    res = stats.bootstrap(
        (values,),
        np.mean,
        n_resamples=n_boot,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return (
        float(values.mean()),
        float(res.confidence_interval.low),
        float(res.confidence_interval.high),
    )


def sensitivity_ci(
    detections, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """(sensitivity, low, high): the share of lesions found, with a percentile bootstrap
    interval that resamples images (with all their lesions), not lesions.

    ``detections`` is a ``lesion_detection`` table. Lesions of one image share its noise
    and its reader, so they are not independent; resampling images keeps them together.
    """
    per_image = detections.groupby("image")["found"].agg(["sum", "size"])
    found, lesions = per_image["sum"].to_numpy(float), per_image["size"].to_numpy(float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(found), size=(n_boot, len(found)))
    shares = found[draws].sum(axis=1) / lesions[draws].sum(axis=1)
    low, high = np.percentile(shares, [50 * (1 - level), 50 * (1 + level)])
    return float(found.sum() / lesions.sum()), float(low), float(high)


def paired_difference_ci(a, b, n_boot: int = 2000, level: float = 0.95, seed: int = 0):
    """(mean(a - b), low, high): paired bootstrap of per-image scores; each resample
    draws the same images for both."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    res = stats.bootstrap(
        (a, b),
        lambda x, y: np.mean(x - y),
        paired=True,
        n_resamples=n_boot,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return (
        float(np.mean(a - b)),
        float(res.confidence_interval.low),
        float(res.confidence_interval.high),
    )


def body_lung_masks(
    hu, body_hu: float = -500.0, lung_hu: float = -400.0, min_lung_px: int = 10
):
    """Body and lung masks (bool, same shape) of one CT slice from HU physics alone.

    Body: the largest region above ``body_hu`` with its holes filled. Lungs: pixels
    below ``lung_hu`` inside the body, regions of at least ``min_lung_px`` pixels. The
    reference for real CT in chapter 17.
    """
    hu = np.asarray(hu)
    regions = measure.label(hu > body_hu)
    if regions.max() == 0:
        return np.zeros(hu.shape, bool), np.zeros(hu.shape, bool)
    largest = np.argmax(np.bincount(regions.ravel())[1:]) + 1
    body = ndi.binary_fill_holes(regions == largest)
    lung = morphology.remove_small_objects((hu < lung_hu) & body, min_size=min_lung_px)
    return body, lung


def soft_tissue_mask(hu) -> np.ndarray:
    """Where ``threshold_lesions`` looks for lesions in one slice: bool (H, W).

    The body (``body_lung_masks``) eroded by 2 pixels, at least 2 pixels from the lungs
    and 3 pixels from bone (smoothed HU > 300).
    """
    hu = np.asarray(hu, dtype=np.float64)
    body, lung = body_lung_masks(hu)
    bone = ndi.binary_dilation(ndi.gaussian_filter(hu, 1.0) > 300, iterations=3)
    return (
        ndi.binary_erosion(body, iterations=2)
        & ~ndi.binary_dilation(lung, iterations=2)
        & ~bone
    )


def threshold_lesions(
    hu,
    threshold_hu: float,
    sigma_px: float = 1.0,
    min_px: int = 3,
    open_px: int = 0,
    tissue=None,
):
    """Classical lesion segmentation of one slice: Gaussian smoothing, HU threshold,
    morphology; bool (H, W).

    In the soft tissue (``tissue``, by default ``soft_tissue_mask(hu)``), pixels of the
    image smoothed with a Gaussian of ``sigma_px`` pixels above ``threshold_hu`` are
    kept; an opening with a disk of radius ``open_px`` (0: none) cuts thin strands, and
    regions smaller than ``min_px`` pixels are removed.
    """
    hu = np.asarray(hu, dtype=np.float64)
    tissue = soft_tissue_mask(hu) if tissue is None else np.asarray(tissue, bool)
    found = (ndi.gaussian_filter(hu, sigma_px) > threshold_hu) & tissue
    if open_px > 0:
        found = morphology.binary_opening(found, morphology.disk(open_px))
    return morphology.remove_small_objects(found, min_size=min_px)


def contours_mm(rtstruct, roi_name: str) -> list:
    """The closed planar contours of one ROI of an RT Structure Set: a list of (N, 3)
    float arrays (x, y, z mm)."""
    numbers = {r.ROIName: r.ROINumber for r in rtstruct.StructureSetROISequence}
    if roi_name not in numbers:
        raise ValueError(
            f"no ROI named {roi_name!r}; the structure set has {sorted(numbers)}"
        )
    for roi in rtstruct.ROIContourSequence:
        if roi.ReferencedROINumber == numbers[roi_name]:
            return [
                np.asarray(c.ContourData, dtype=float).reshape(-1, 3)
                for c in roi.ContourSequence
                if c.ContourGeometricType == "CLOSED_PLANAR"
            ]
    return []


def contours_to_mask(contours, origin_xy_mm, spacing_mm: float, shape):
    """Fill planar contours into a stack of masks on a square pixel grid: (z values mm,
    (Z, rows, cols) bool).

    ``origin_xy_mm`` is the (x, y) centre of pixel (0, 0); rows run along y, columns
    along x; one slice per distinct contour z (several contours on one slice are
    combined by exclusive or, so holes stay holes).
    """
    from skimage.draw import polygon2mask

    zs = sorted({round(float(c[0, 2]), 3) for c in contours})
    masks = np.zeros((len(zs),) + tuple(shape), dtype=bool)
    for c in contours:
        rows = (c[:, 1] - origin_xy_mm[1]) / spacing_mm
        cols = (c[:, 0] - origin_xy_mm[0]) / spacing_mm
        masks[zs.index(round(float(c[0, 2]), 3))] ^= polygon2mask(
            shape, np.stack([rows, cols], axis=1)
        )
    return np.array(zs), masks


def image_grid(dataset) -> tuple:
    """The pixel grid of one axial image (pydicom dataset): ((x, y) mm of pixel (0, 0)'s
    centre, pixel size mm, (rows, cols)), the arguments ``contours_to_mask`` takes."""
    orientation = np.asarray(dataset.ImageOrientationPatient, dtype=float)
    if not np.allclose(orientation, [1, 0, 0, 0, 1, 0], atol=1e-4):
        raise ValueError(f"not an axial image: ImageOrientationPatient {orientation}")
    row_mm, col_mm = (float(v) for v in dataset.PixelSpacing)
    if abs(row_mm - col_mm) > 1e-6:
        raise ValueError(f"pixels are not square: PixelSpacing {row_mm}, {col_mm}")
    x, y = (float(v) for v in dataset.ImagePositionPatient[:2])
    return (x, y), col_mm, (int(dataset.Rows), int(dataset.Columns))


def mask_to_contours_mm(mask, dataset) -> list:
    """The outlines of a bool mask (rows, cols) on an axial image, as an RT Structure
    Set stores them: a list of closed (N, 3) float arrays (x, y, z mm) at the image's
    ImagePositionPatient z (holes are contours of their own)."""
    (x0, y0), spacing, _ = image_grid(dataset)
    z = float(dataset.ImagePositionPatient[2])
    padded = np.pad(np.asarray(mask, dtype=float), 1)
    contours = []
    for c in measure.find_contours(padded, 0.5):
        rows, cols = c[:-1, 0] - 1, c[:-1, 1] - 1  # the last point repeats the first
        contours.append(
            np.stack(
                [x0 + cols * spacing, y0 + rows * spacing, np.full(len(c) - 1, z)],
                axis=1,
            )
        )
    return contours


def write_seg(
    masks: dict, source_datasets, algorithm: str = "book U-Net", version: str = "1.0"
):
    """A DICOM Segmentation (highdicom, binary) of the masks, referencing the source CT
    slices it was made on.

    ``masks`` maps a segment name ("body", "lung" or "lesion") to a bool array
    (n_slices, rows, cols) in the order of ``source_datasets`` (pydicom datasets of one
    series). Body and lung are coded as anatomical structures, a lesion as a
    morphologically abnormal structure (SNOMED CT). Returns the
    ``highdicom.seg.Segmentation`` dataset.
    """
    import highdicom as hd
    from pydicom.sr.codedict import codes

    algorithm_id = hd.AlgorithmIdentificationSequence(
        name=algorithm, version=version, family=codes.cid7162.ArtificialIntelligence
    )
    anatomy, abnormal = (
        codes.SCT.AnatomicalStructure,
        codes.SCT.MorphologicallyAbnormalStructure,
    )
    coded = {  # segment name: (property category, property type), SNOMED CT
        "body": (anatomy, codes.SCT.BodyStructure),
        "lung": (anatomy, codes.SCT.Lung),
        "lesion": (abnormal, codes.SCT.Lesion),
    }
    unknown = sorted(set(masks) - set(coded))
    if unknown:
        raise ValueError(
            f"no coded concept for segments {unknown}; known: {sorted(coded)}"
        )
    descriptions = [
        hd.seg.SegmentDescription(
            segment_number=k + 1,
            segment_label=name,
            segmented_property_category=coded[name][0],
            segmented_property_type=coded[name][1],
            algorithm_type=hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC,
            algorithm_identification=algorithm_id,
        )
        for k, name in enumerate(masks)
    ]
    stack = np.stack([np.asarray(m, bool) for m in masks.values()], axis=-1).astype(
        np.uint8
    )
    with (
        warnings.catch_warnings()
    ):  # de-identified data code the name as one word; the warning would print it
        warnings.filterwarnings(
            "ignore", message=".*unlikely to represent the intended person name"
        )
        return hd.seg.Segmentation(
            source_images=list(source_datasets),
            pixel_array=stack,
            segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
            segment_descriptions=descriptions,
            series_instance_uid=hd.UID(),
            series_number=900,
            sop_instance_uid=hd.UID(),
            instance_number=1,
            manufacturer="medimg-book",
            manufacturer_model_name="helpers.segmentation",
            software_versions=version,
            device_serial_number="0",
            omit_empty_frames=False,
        )


def read_seg(seg, source_datasets) -> dict:
    """The masks of a DICOM Segmentation (pydicom dataset or file path) as {segment
    label: (n, rows, cols) bool},
    slices in the order of ``source_datasets`` (matched by SOP Instance UID)."""
    import highdicom as hd

    seg = (
        hd.seg.segread(seg)
        if not hasattr(seg, "SegmentSequence")
        else hd.seg.Segmentation.from_dataset(seg)
    )
    uids = [ds.SOPInstanceUID for ds in source_datasets]
    numbers = list(seg.get_segment_numbers())
    pixels = seg.get_pixels_by_source_instance(uids, segment_numbers=numbers)
    return {
        seg.get_segment_description(n).segment_label: pixels[..., k].astype(bool)
        for k, n in enumerate(numbers)
    }
