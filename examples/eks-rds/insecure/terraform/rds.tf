resource "aws_db_subnet_group" "main" {
  name       = "${var.name}-db"
  subnet_ids = [for k, s in aws_subnet.this : s.id if local.subnets[k].tier == "eks_public"]
}

resource "aws_db_parameter_group" "postgres" {
  name   = "${var.name}-postgres16"
  family = "postgres16"

  parameter {
    name  = "rds.force_ssl"
    value = "0"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }
}

resource "aws_db_instance" "main" {
  identifier                          = "${var.name}-db"
  engine                              = "postgres"
  engine_version                      = "16.4"
  instance_class                      = "db.m6g.large"
  allocated_storage                   = 100
  db_name                             = "shop"
  username                            = "shop_admin"
  password                            = "Sup3rS3cretPassw0rd!"
  db_subnet_group_name                = aws_db_subnet_group.main.name
  parameter_group_name                = aws_db_parameter_group.postgres.name
  vpc_security_group_ids              = [aws_security_group.rds.id]
  publicly_accessible                 = true
  storage_encrypted                   = false
  multi_az                            = false
  backup_retention_period             = 1
  deletion_protection                 = false
  iam_database_authentication_enabled = false
  copy_tags_to_snapshot               = true
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${var.name}-db-final"
}
