"""Training recipes (`train_x(cfg) -> Path`) for shopmate's models; filled by the fine-tuning work."""
