"""Training the offline classifier: the project's own material, the composer that turns it into
tickets, the trainer that exports `ticket_app/classifier/model.json.gz` (`train.py`) and the
bounds of what a model could reach on a labelled file (`ceiling.py`).

Kept out of `ticket_app`, which ships: training needs scikit-learn, a development requirement,
and the app only reads the exported file.
"""
